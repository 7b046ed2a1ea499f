"""Keep punctuation on the line of the inline maths it follows.

MathJax renders inline maths as an inline block, and a browser may break a
line between an inline block and the text after it, so "$x$." can wrap with
the full stop alone at the start of the next line. This transform wraps each
inline math node and the punctuation right after it in one
``<span class="nowrap">`` (styled ``white-space: nowrap`` in
``book/_static/convbook.css``), which leaves no break opportunity between
them. tests/test_book_build.py checks the built pages for unwrapped cases.
"""

import re

from docutils import nodes
from sphinx.transforms import SphinxTransform

PUNCTUATION = re.compile(r"^[.,;:!?)\]’”]+")


class AttachPunctuation(SphinxTransform):
    default_priority = 800

    def apply(self):
        for math in list(self.document.findall(nodes.math)):
            parent = math.parent
            index = parent.index(math)
            if index + 1 >= len(parent) or not isinstance(parent[index + 1], nodes.Text):
                continue
            text = parent[index + 1]
            match = PUNCTUATION.match(str(text))
            if not match:
                continue
            rest = str(text)[match.end() :]
            group = nodes.inline(classes=["nowrap"])
            parent.remove(math)
            group += math
            group += nodes.Text(match.group())
            parent.replace(text, group)
            if rest:
                parent.insert(parent.index(group) + 1, nodes.Text(rest))


def setup(app):
    app.add_transform(AttachPunctuation)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
