"""The cassette file: one YAML document per cassette, written for code review and loaded fast.

Layout (format 1)::

    # runreplay cassette ...                      (a comment; ignored)
    format_version: 1
    runreplay: 0.1.0                              (the version that wrote it)
    meta: {...}                                   (Cassette.meta, plain YAML)
    interactions:
    - recorded_at: '2026-01-01T00:00:00Z'
      request:
        method: POST
        url: https://api.openai.com/v1/threads/runs
        headers: |-                               (one "Name: value" line per header, in order)
          Content-Type: application/json
        body:
          style: compact                          (how to turn the JSON below back into the exact bytes)
          json: |-
            {
              "assistant_id": "asst_1"
            }
      response:
        status: 200
        reason: OK
        http_version: HTTP/1.1
        headers: |-
          content-type: text/event-stream
        headers_ms: 52.25                         (milliseconds from sending to the response headers)
        complete: true                            (false: the client stopped reading early)
        error: {type, message, after_chunk}       (only when the connection failed mid-body)
        body:
          chunks: 134@52.3 271@312.4              (each chunk as BYTES@MILLISECONDS, in order)
          text: |+                                (the whole body; the chunks are slices of it)
            event: thread.created
            ...
    ...                                           (YAML document end: a file without it was cut off)

Rules, all chosen so that ``load(save(c)) == c`` for every cassette (times rounded to 3 decimals):

* **Bodies** are stored in the most readable faithful form: ``json`` (pretty-printed, one field per
  line, so a diff shows the field that changed) when the body is compact JSON (objects and arrays;
  any JSON value when the content type says JSON) and re-serializing it in the recorded ``style``
  (``compact``/``spaced``/``indent=N``, plus ``ascii`` and ``newline``) gives back the exact bytes;
  JSON that is already indented is shown as it is, as ``text``; else ``text`` (UTF-8); else
  ``base64`` (76-character lines). JSON is kept as pretty JSON text rather than as a YAML mapping: it
  keeps JSON's exact types (no YAML 1.1 surprises such as ``no`` or ``1e3``), and it is one YAML node
  instead of hundreds, which is what makes loading fast. Bodies of ``text/event-stream`` responses
  are always ``text`` (or ``base64``).
* **Chunks.** A response body is stored whole, and ``chunks`` gives each chunk's size in bytes and its
  arrival time, so chunks that split a multi-byte character still rebuild every byte, and non-SSE
  bodies that arrived in several pieces keep their boundaries too.
* **Headers** are one ``Name: value`` line each, in the recorded order, with the recorded case and
  duplicates (``set-cookie`` twice is two lines). Headers that cannot be written that way (a name
  with ``:`` or a line break in a name or value) are written as a list of ``[name, value]`` pairs.
* **No events view.** Files written before 0.2 also held ``events:``, a derived list of each SSE
  event; parsing it was 44% of a load, so it is no longer written (``runreplay inspect`` shows the
  events). It is still accepted on load and ignored (only its type is checked).

`load` raises `runreplay.errors.CassetteFormatError` (naming the file, the line and what was expected)
for anything it cannot load exactly, never returning an empty or partial cassette. A missing file
raises `FileNotFoundError` instead: "not recorded yet" is not a format problem, and the recorder
checks for the file first.
"""

from __future__ import annotations

from runreplay.cassette._dump import dumps, render_interaction, save
from runreplay.cassette._load import load, load_indexed, loads

__all__ = ["dumps", "load", "load_indexed", "loads", "render_interaction", "save"]
