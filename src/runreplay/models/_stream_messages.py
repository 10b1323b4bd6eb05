"""The tolerant message objects of the Assistants stream: messages, content blocks, their deltas, errors."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Discriminator, Tag

from runreplay.models._stream_objects import Detail, MessageStatus, Tolerant, UnknownObject, type_tag

__all__ = [
    "ErrorObject",
    "FileCitation",
    "FileCitationAnnotation",
    "FileCitationDeltaAnnotation",
    "FilePath",
    "FilePathAnnotation",
    "FilePathDeltaAnnotation",
    "ImageFile",
    "ImageFileContentBlock",
    "ImageFileDeltaBlock",
    "ImageUrl",
    "ImageUrlContentBlock",
    "ImageUrlDeltaBlock",
    "MessageAnnotation",
    "MessageAnnotationDelta",
    "MessageContent",
    "MessageContentDelta",
    "MessageDelta",
    "MessageDeltaObject",
    "MessageIncompleteDetails",
    "MessageObject",
    "MessageObjectAttachment",
    "MessageObjectAttachmentTool",
    "RefusalContentBlock",
    "RefusalDeltaBlock",
    "Text",
    "TextContentBlock",
    "TextDelta",
    "TextDeltaBlock",
]


# --- messages -----------------------------------------------------------------------------------


class ImageFile(Tolerant):
    """An image file in message content."""

    file_id: str | None = None
    detail: Detail | str | None = None


class ImageUrl(Tolerant):
    """An image URL in message content."""

    url: str | None = None
    detail: Detail | str | None = None


class FileCitation(Tolerant):
    """The file a citation points to."""

    file_id: str | None = None
    quote: str | None = None


class FilePath(Tolerant):
    """The file a file_path annotation points to."""

    file_id: str | None = None


class FileCitationAnnotation(Tolerant):
    """A citation of a file in a text part."""

    type: Literal["file_citation"] | None = None
    text: str | None = None
    file_citation: FileCitation | None = None
    start_index: int | None = None
    end_index: int | None = None


class FilePathAnnotation(Tolerant):
    """A link to a generated file in a text part."""

    type: Literal["file_path"] | None = None
    text: str | None = None
    file_path: FilePath | None = None
    start_index: int | None = None
    end_index: int | None = None


MessageAnnotation = Annotated[
    Annotated[FileCitationAnnotation, Tag("file_citation")]
    | Annotated[FilePathAnnotation, Tag("file_path")]
    | Annotated[UnknownObject, Tag("unknown")],
    Discriminator(type_tag("file_citation", "file_path")),
]
"""One annotation of a text part, chosen by `type`."""


class Text(Tolerant):
    """The text of a text part and its annotations."""

    value: str | None = None
    annotations: list[MessageAnnotation] | None = None


class ImageFileContentBlock(Tolerant):
    """An image file part of a message."""

    type: Literal["image_file"] | None = None
    image_file: ImageFile | None = None


class ImageUrlContentBlock(Tolerant):
    """An image URL part of a message."""

    type: Literal["image_url"] | None = None
    image_url: ImageUrl | None = None


class TextContentBlock(Tolerant):
    """A text part of a message."""

    type: Literal["text"] | None = None
    text: Text | None = None


class RefusalContentBlock(Tolerant):
    """A refusal part of a message."""

    type: Literal["refusal"] | None = None
    refusal: str | None = None


MessageContent = Annotated[
    Annotated[ImageFileContentBlock, Tag("image_file")]
    | Annotated[ImageUrlContentBlock, Tag("image_url")]
    | Annotated[TextContentBlock, Tag("text")]
    | Annotated[RefusalContentBlock, Tag("refusal")]
    | Annotated[UnknownObject, Tag("unknown")],
    Discriminator(type_tag("image_file", "image_url", "text", "refusal")),
]
"""One content part of a message, chosen by `type`."""


class MessageIncompleteDetails(Tolerant):
    """Why a message ended incomplete."""

    reason: (
        Literal["content_filter", "max_tokens", "run_cancelled", "run_expired", "run_failed"] | str | None
    ) = None


class MessageObjectAttachmentTool(Tolerant):
    """A tool an attached file was added to."""

    type: str | None = None


class MessageObjectAttachment(Tolerant):
    """A file attached to a message."""

    file_id: str | None = None
    tools: list[MessageObjectAttachmentTool] | None = None


class MessageObject(Tolerant):
    """A message, as the `thread.message.*` events report it."""

    id: str | None = None
    object: str | None = None
    created_at: int | None = None
    thread_id: str | None = None
    status: MessageStatus | str | None = None
    incomplete_details: MessageIncompleteDetails | None = None
    completed_at: int | None = None
    incomplete_at: int | None = None
    role: Literal["user", "assistant"] | str | None = None
    content: list[MessageContent] | None = None
    assistant_id: str | None = None
    run_id: str | None = None
    attachments: list[MessageObjectAttachment] | None = None
    metadata: dict[str, str] | None = None


class FileCitationDeltaAnnotation(Tolerant):
    """A citation in a text delta."""

    index: int | None = None
    type: Literal["file_citation"] | None = None
    text: str | None = None
    file_citation: FileCitation | None = None
    start_index: int | None = None
    end_index: int | None = None


class FilePathDeltaAnnotation(Tolerant):
    """A file link in a text delta."""

    index: int | None = None
    type: Literal["file_path"] | None = None
    text: str | None = None
    file_path: FilePath | None = None
    start_index: int | None = None
    end_index: int | None = None


MessageAnnotationDelta = Annotated[
    Annotated[FileCitationDeltaAnnotation, Tag("file_citation")]
    | Annotated[FilePathDeltaAnnotation, Tag("file_path")]
    | Annotated[UnknownObject, Tag("unknown")],
    Discriminator(type_tag("file_citation", "file_path")),
]
"""One annotation in a text delta, chosen by `type`."""


class TextDelta(Tolerant):
    """A fragment of text (append `value` to the part at the same index)."""

    value: str | None = None
    annotations: list[MessageAnnotationDelta] | None = None


class ImageFileDeltaBlock(Tolerant):
    """An image file part, in a message delta."""

    index: int | None = None
    type: Literal["image_file"] | None = None
    image_file: ImageFile | None = None


class ImageUrlDeltaBlock(Tolerant):
    """An image URL part, in a message delta."""

    index: int | None = None
    type: Literal["image_url"] | None = None
    image_url: ImageUrl | None = None


class TextDeltaBlock(Tolerant):
    """A text fragment, in a message delta."""

    index: int | None = None
    type: Literal["text"] | None = None
    text: TextDelta | None = None


class RefusalDeltaBlock(Tolerant):
    """A refusal fragment, in a message delta."""

    index: int | None = None
    type: Literal["refusal"] | None = None
    refusal: str | None = None


MessageContentDelta = Annotated[
    Annotated[ImageFileDeltaBlock, Tag("image_file")]
    | Annotated[ImageUrlDeltaBlock, Tag("image_url")]
    | Annotated[TextDeltaBlock, Tag("text")]
    | Annotated[RefusalDeltaBlock, Tag("refusal")]
    | Annotated[UnknownObject, Tag("unknown")],
    Discriminator(type_tag("image_file", "image_url", "text", "refusal")),
]
"""One content part in a message delta, chosen by `type`."""


class MessageDelta(Tolerant):
    """What changed in a message."""

    role: Literal["user", "assistant"] | str | None = None
    content: list[MessageContentDelta] | None = None


class MessageDeltaObject(Tolerant):
    """A message delta, as `thread.message.delta` reports it."""

    id: str | None = None
    object: str | None = None
    delta: MessageDelta | None = None


class ErrorObject(Tolerant):
    """The spec's `Error`: what went wrong during the stream."""

    code: str | None = None
    message: str | None = None
    param: str | None = None
    type: str | None = None
