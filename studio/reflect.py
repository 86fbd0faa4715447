"""reflect (being built)."""
import streamlit as st

st.title("Reflect")
