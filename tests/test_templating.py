"""Templates: one string scalar at a time, in a sandbox; values are data and stay literal."""

from __future__ import annotations

from typing import Any

import pytest

from compiler.templating import Engine, TemplateFailure
from compiler.yamlload import Document, load_yaml


def template(text: str, path: str = "templates/apple/t.yaml.j2") -> Document:
    doc, diags = load_yaml(path, text.encode(), 1 << 20)
    assert diags == []
    return doc


def render(text: str, ctx: dict[str, Any], engine: Engine | None = None) -> Any:
    doc = template(text)
    return (engine or Engine()).render(doc, doc.data, ctx)


def test_whole_expression_keeps_its_type() -> None:
    out = render(
        'i: "{{ n }}"\nb: "{{ flag }}"\nl: "{{ items }}"\nd: "{{ m }}"\nf: "{{ n / 2 }}"\n',
        {"n": 5, "flag": False, "items": [1, "x"], "m": {"k": True}},
    )
    assert out == {"i": 5, "b": False, "l": [1, "x"], "d": {"k": True}, "f": 2.5}
    assert type(out["i"]) is int
    assert out["b"] is False


def test_expression_inside_text_renders_text() -> None:
    assert render('a: "n={{ n }}"\nb: "{{ a }}-{{ b }}"\n', {"n": 5, "a": 1, "b": 2}) == {
        "a": "n=5",
        "b": "1-2",
    }


def test_text_without_braces_and_non_strings_pass_through() -> None:
    assert render("a: plain\nb: 3\nc: true\nd: [x, 1.5]\n", {}) == {
        "a": "plain",
        "b": 3,
        "c": True,
        "d": ["x", 1.5],
    }


def test_none_drops_a_key() -> None:
    out = render('a: "{{ none }}"\nb: "{{ x | default(none) }}"\nc: 1\n', {})
    assert out == {"c": 1}


def test_when_keeps_or_drops_a_mapping() -> None:
    text = 'outer:\n  inner:\n    $when: "{{ on }}"\n    k: v\n  other: 1\n'
    assert render(text, {"on": True}) == {"outer": {"inner": {"k": "v"}, "other": 1}}
    assert render(text, {"on": False}) == {"outer": {"other": 1}}


def test_when_drops_a_list_item() -> None:
    text = 'items:\n  - $when: "{{ a }}"\n    name: A\n  - name: B\n'
    assert render(text, {"a": False}) == {"items": [{"name": "B"}]}
    assert render(text, {"a": True}) == {"items": [{"name": "A"}, {"name": "B"}]}


def test_for_repeats_a_list_item() -> None:
    text = (
        "items:\n"
        '  - $for: c in clips\n    label: "{{ c.label }}"\n    n: "{{ loop_index }}"\n'
        "  - last\n"
    )
    out = render(text, {"clips": [{"label": "A"}, {"label": "B"}]})
    assert out == {"items": [{"label": "A", "n": 1}, {"label": "B", "n": 2}, "last"]}


def test_for_over_nothing_gives_nothing() -> None:
    text = 'items:\n  - $for: c in clips\n    label: "{{ c }}"\n'
    assert render(text, {"clips": []}) == {"items": []}
    assert render(text, {"clips": None}) == {"items": []}


def test_for_with_when_per_element() -> None:
    text = 'items:\n  - $for: c in cs\n    $when: "{{ c > 1 }}"\n    v: "{{ c }}"\n'
    assert render(text, {"cs": [1, 2, 3]}) == {"items": [{"v": 2}, {"v": 3}]}


@pytest.mark.parametrize(
    "value",
    [
        "{{ 7*7 }}",
        "{% for x in range(3) %}x{% endfor %}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "</string><key>x</key><string>",
        "${{ secrets.X }}",
        "{#",
        "}}{{",
    ],
)
def test_values_that_look_like_templates_stay_literal(value: str) -> None:
    text = 'whole: "{{ v }}"\ninside: "a {{ v }} b"\nlist: "{{ [v] }}"\n'
    out = render(text, {"v": value})
    assert out == {"whole": value, "inside": f"a {value} b", "list": [value]}


def test_undefined_variable_fails_with_file_and_line() -> None:
    doc = template('payloads:\n  - a: 1\n    b: "{{ nope }}"\n')
    with pytest.raises(TemplateFailure) as info:
        Engine().render(doc, doc.data, {})
    assert info.value.path == "templates/apple/t.yaml.j2"
    assert (info.value.line, info.value.col) == (3, 8)
    assert "nope" in info.value.message


def test_undefined_attribute_fails() -> None:
    doc = template('a:\n  b: "x {{ eap.method }}"\n')
    with pytest.raises(TemplateFailure) as info:
        Engine().render(doc, doc.data, {"eap": {}})
    assert info.value.line == 2


def test_undefined_inside_a_for_fails_at_the_items_line() -> None:
    doc = template('items:\n  - $for: c in cs\n    v: "{{ c.missing }}"\n')
    with pytest.raises(TemplateFailure) as info:
        Engine().render(doc, doc.data, {"cs": [{}]})
    assert info.value.line == 3


def test_sandbox_blocks_unsafe_attributes() -> None:
    doc = template("a: \"{{ ''.__class__.__mro__[1].__subclasses__() }}\"\n")
    with pytest.raises(TemplateFailure) as info:
        Engine().render(doc, doc.data, {})
    assert info.value.line == 1


def test_sandbox_is_immutable() -> None:
    doc = template('a: "{{ items.append(3) }}"\n')
    items = [1]
    with pytest.raises(TemplateFailure):
        Engine().render(doc, doc.data, {"items": items})
    assert items == [1]


def test_for_on_a_mapping_value_is_an_error() -> None:
    doc = template("a:\n  $for: x in xs\n  k: v\n")
    with pytest.raises(TemplateFailure) as info:
        Engine().render(doc, doc.data, {"xs": [1]})
    assert info.value.line == 2


def test_malformed_for_is_an_error_at_its_line() -> None:
    doc = template("items:\n  - k: v\n  - $for: nonsense\n    k: v\n")
    with pytest.raises(TemplateFailure) as info:
        Engine().render(doc, doc.data, {})
    assert (info.value.line, info.value.col) == (3, 11)


def test_syntax_error_in_an_expression_is_a_template_failure() -> None:
    doc = template('a: 1\nb: "{{ x + }}"\n')
    with pytest.raises(TemplateFailure) as info:
        Engine().render(doc, doc.data, {"x": 1})
    assert info.value.line == 2


def test_filters() -> None:
    out = render('a: "{{ s | b64 }}"\nb: "{{ s | xml_attr }}"\n', {"s": 'a<"b">&'})
    assert out == {"a": "YTwiYiI+Jg==", "b": "a&lt;&quot;b&quot;&gt;&amp;"}


def test_engine_reuse_across_contexts() -> None:
    engine = Engine()
    assert render('a: "{{ x }}"\n', {"x": 1}, engine) == {"a": 1}
    assert render('a: "{{ x }}"\n', {"x": "two"}, engine) == {"a": "two"}


def test_rendering_does_not_change_the_template() -> None:
    doc = template('items:\n  - $for: c in cs\n    v: "{{ c }}"\n')
    before = repr(doc.data)
    Engine().render(doc, doc.data, {"cs": [1, 2]})
    assert repr(doc.data) == before


def test_for_over_something_that_is_not_a_list_is_a_template_failure() -> None:
    from compiler.templating import Engine, TemplateFailure
    from compiler.yamlload import load_yaml

    doc, _ = load_yaml("templates/apple/t.yaml.j2", b"x:\n  - $for: a in n\n    v: 1\n", 1000)
    for bad in (5, "text", {"k": 1}):
        with pytest.raises(TemplateFailure) as info:
            Engine().render(doc, doc.data, {"n": bad})
        assert (info.value.path, info.value.line) == ("templates/apple/t.yaml.j2", 2)
    assert Engine().render(doc, doc.data, {"n": ({"k": 1}).items()}) == {"x": [{"v": 1}]}
