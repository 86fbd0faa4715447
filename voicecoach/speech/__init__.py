"""Signal and speech: decoding, voice activity, pitch and energy, the speech model, words placed on the voice,
and the delivery measures (pace, pauses, sentence-end strength)."""
