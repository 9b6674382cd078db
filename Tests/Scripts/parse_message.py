"""Parses a received message with Python's email package and prints what the tests check, as JSON."""
import json
import sys
from email import policy
from email.parser import BytesParser

raw = open(sys.argv[1], "rb").read()
message = BytesParser(policy=policy.default).parsebytes(raw)
header_block = raw.split(b"\r\n\r\n", 1)[0]
header_lines = header_block.split(b"\r\n")
defects = [repr(defect) for defect in message.defects]
for name, value in message.items():
    defects += ["%s: %r" % (name, defect) for defect in getattr(value, "defects", ())]
parts = []
for part in message.walk():
    parts.append({"type": part.get_content_type(), "filename": part.get_filename()})
    defects += [repr(defect) for defect in part.defects]
html = message.get_body(("html",))
text = message.get_body(("plain",))
print(
    json.dumps(
        {
            "subject": str(message["Subject"]),
            "from": str(message["From"]),
            "to": [address.addr_spec for address in message["To"].addresses],
            "headerNames": [name for name, _ in message.items()],
            "longestHeaderLine": max(len(line) for line in header_lines),
            "rawHeaderIsASCII": all(byte < 128 for byte in header_block),
            "defects": defects,
            "parts": [part["type"] for part in parts],
            "attachments": [part["filename"] for part in parts if part["filename"]],
            "html": html.get_content() if html else "",
            "htmlBytes": len(html.get_content().encode("utf-8")) if html else 0,
            "text": text.get_content() if text else "",
        }
    )
)
