using System.Text;
using Microsoft.CodeAnalysis.Text;

namespace Dsl.Generator.Common;

/// <summary>
/// A generated file's text read in place from the buffer it was written into: a string would copy every character
/// once more (55 MB for 500 models, each ResNet-56 file a 300 KB string on the large-object heap). The buffer is
/// frozen. Equal by content, so an output that regenerates the same text stays cached.
/// </summary>
public sealed class GeneratedText : SourceText, System.IEquatable<GeneratedText>
{
    private readonly TextBuffer _text;
    private int _hash; // 0: not computed yet (an int, so a read on another thread never sees half of a write)

    public GeneratedText(TextBuffer text)
    {
        text.Freeze();
        _text = text;
    }

    public override Encoding Encoding => Encoding.UTF8; // as AddSource(string) makes it: Roslyn needs one to write the file

    public override int Length => _text.Length;

    public override char this[int position] => _text[position];

    public override void CopyTo(int sourceIndex, char[] destination, int destinationIndex, int count) =>
        _text.CopyTo(sourceIndex, destination, destinationIndex, count);

    public override string ToString() => _text.ToString();

    public bool Equals(GeneratedText? other) => other is not null && (ReferenceEquals(this, other) || _text.ContentEquals(other._text));

    public override bool Equals(object? obj) => obj is GeneratedText other && Equals(other);

    public override int GetHashCode()
    {
        var hash = _hash;
        if (hash == 0)
        {
            hash = _text.ContentHash() | 1; // never 0, which means "not computed"
            _hash = hash;
        }

        return hash;
    }
}
