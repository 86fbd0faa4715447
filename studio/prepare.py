"""prepare (being built)."""
import streamlit as st

st.title("Prepare")
