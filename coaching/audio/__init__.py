"""Audio input: the first stage (audio file → :class:`coaching.models.DecodedAudio`).

Modules
-------
decode    validate and decode any file ffmpeg/PyAV reads into float32 channels (:func:`decode.decode_audio`,
          :func:`decode.probe_audio`, :func:`decode.check_not_silent`); typed errors name the file and the limit
channels  channel sanity of a stereo call, before anything listens: dual mono (one signal saved twice) → mono,
          crosstalk / echo of the other side removed, silent channels named (:func:`channels.check_channels`)
frames    frame features in plain numpy, equal to librosa's: YIN pitch (:func:`frames.yin_f0_hz`),
          :func:`frames.rms`, :func:`frames.zero_crossing_rate` (no librosa import on the analysis path)
speech_probability  Silero speech probabilities computed once per channel and chunks for any VAD setting from
          them, equal to faster-whisper's (:func:`speech_probability.speech_probabilities`,
          :func:`speech_probability.speech_chunks`)
sniff     byte-level looks at a file's start: signatures, the WAV header's declared length, an unfinished Ogg
files     recordings stored under the uploaded file's sha256: :func:`files.store_audio` (the redacted copy, FLAC),
          :func:`files.store_original` (the unredacted original, only when kept: verified, atomic copy),
          :func:`files.sha256_file`, :func:`files.stored_path`

Nothing here touches the database or a speech recognition model.
"""
