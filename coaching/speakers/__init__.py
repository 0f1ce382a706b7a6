"""Who spoke when: speech spans, mono diarization, and words given to speakers (→ :class:`coaching.models.Transcript`).

Modules
-------
vad           speech spans of one channel (Silero VAD, packaged with faster-whisper): :func:`vad.speech_spans_from_vad`
diarization   light two-speaker diarization for mono calls (MFCC + pitch, two clusters) with a calibrated confidence
assign        recognised segments → transcript with speakers: :func:`assign.stereo_transcript` (one channel per
              speaker, overtalk kept), :func:`assign.mono_transcript` (words to the diarized speaker),
              :func:`assign.swap_speakers`; untimed text is spread over its span by :func:`coaching.models.spread_words`
"""
