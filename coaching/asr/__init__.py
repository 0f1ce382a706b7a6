"""Speech recognition behind a small interface (decoded channel → timed words).

Modules
-------
models        which Whisper models can be used: packaged (``base`` joined from two packages and checked,
              ``tiny.en``), a local faster-whisper directory, or a hub name that fails offline with one line
              (:func:`models.resolve_model`, :func:`models.available_models`)
transcriber   the :class:`transcriber.Transcriber` protocol the pipeline needs (language detection among allowed
              languages, timed words) and its faster-whisper implementation (:class:`transcriber.WhisperTranscriber`,
              :func:`transcriber.load_transcriber`); the domain vocabulary per language is ``data/vocabulary.yaml``
speech        the speech the recogniser hears: one VAD pass per channel shared by language identification and
              decoding, the joined speech and its times mapped back (:func:`speech.speech_only`)
language_id   which allowed language a channel is in: Whisper's identification, a decoding check when unsure, loops
              rejected (:func:`language_id.identify_language`)
guard         the hallucination guard: words outside speech, segments Whisper rates as no speech, decoding loops
              dropped; repetitive segments and low-probability segment ends marked (``Word.suspect``), so they never
              serve as checklist evidence alone (:func:`guard.guard_segments`)

Tests use a scripted fake with the same shape (``tests/conftest.py``).
"""
