"""The voicecoach studio: thin Streamlit pages over voicecoach's core (the only package that
imports streamlit)."""
