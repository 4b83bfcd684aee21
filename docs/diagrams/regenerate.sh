#!/usr/bin/env bash
# Regenerates docs/diagrams/<Model>.dot and <Model>.svg for every example model, and docs/diagrams/README.md.
# The .dot files are the models' generated `Diagram` strings, written by the generator tests (the generator runs
# in-process on Examples/Models/*.cs, so neither the Examples project nor its CLI is needed); dot renders the SVGs.
# Needs the .NET SDK and Graphviz (apt-get install graphviz).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
command -v dot >/dev/null || { echo "regenerate.sh needs Graphviz's dot: apt-get install graphviz" >&2; exit 1; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

DSL_WRITE_DIAGRAMS="$tmp" dotnet test "$root/Tests/Dsl.Generator.Tests" --nologo -v q \
  --filter "FullyQualifiedName~SummaryAndDiagramTests.The_diagram_in_the_docs_is_the_current_one"
ls "$tmp"/*.dot >/dev/null 2>&1 || { echo "no diagrams were written to $tmp" >&2; exit 1; }

rm -f "$here"/*.dot "$here"/*.svg
models=()
for file in $(ls "$tmp"/*.dot | LC_ALL=C sort); do
  model="$(basename "$file" .dot)"
  models+=("$model")
  cp "$file" "$here/$model.dot"
  dot -Tsvg "$here/$model.dot" -o "$here/$model.svg"
done

{
  cat <<'TEXT'
# Diagrams of the examples

Every model has a static `Diagram`: its network as a [Graphviz](https://graphviz.org) DOT graph, computed at compile
time like `Summary`. The input is an ellipse; each layer is a box with its name, kind and output shape (and the shape
after its skips when they change it); solid edges are the data flow; skips are dashed, coloured edges labelled with
their merge (red `Add`, purple `Add, projected`, blue `Concat`, which concatenates the `to` layer's output first and
then the `from` layer's, along the channels); each repetition of a block is its own dashed cluster (`stage2.1`), so
node ids are the qualified names of `SummaryExpanded` (`stage2.1.conv1`). Render one yourself with
`dot -Tsvg`: `File.WriteAllText("net.dot", MyNet.Diagram)`, then `dot -Tsvg net.dot -o net.svg`.

The files here are regenerated, never edited: `docs/diagrams/regenerate.sh` (needs the .NET SDK and `dot`) runs
the generator tests with `DSL_WRITE_DIAGRAMS=<folder>`, which write each example model's `Diagram` to
`<folder>/<Model>.dot`, then renders each with `dot -Tsvg` and rewrites this page. Without the variable the same
test checks that every `.dot` here equals the current `Diagram`, so a change to the generator or an example that
changes a diagram fails the tests until the script is run and its output committed.

TEXT
  for model in "${models[@]}"; do
    printf '## %s\n\n![%s](%s.svg)\n\n[DOT source](%s.dot)\n\n' "$model" "$model" "$model" "$model"
  done
} > "$here/README.md"
echo "wrote ${#models[@]} diagrams to $here"
