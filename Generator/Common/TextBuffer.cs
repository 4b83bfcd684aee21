using System.Collections.Generic;
using System.Globalization;

namespace Dsl.Generator.Common;

/// <summary>
/// The append-only text a generated file is written into, in fixed pages, so the finished file is read in place
/// (<see cref="GeneratedText"/>) with O(1) access to any character: a <c>StringBuilder</c> would need a copy of every
/// character (its <c>ToString</c>) or a walk over its chunks for each character the compiler reads.
/// </summary>
public sealed class TextBuffer
{
    private const int PageBits = 12;
    private const int PageSize = 1 << PageBits; // 4,096 characters: 8 KB, far from the large-object heap
    private readonly List<char[]> _pages = new();
    private char[] _page = System.Array.Empty<char>();
    private int _used; // characters used in _page
    private bool _frozen;

    /// <summary>The number of characters written.</summary>
    public int Length { get; private set; }

    public char this[int position] => (uint)position < (uint)Length
        ? _pages[position >> PageBits][position & (PageSize - 1)]
        : throw new System.ArgumentOutOfRangeException(nameof(position));

    public TextBuffer Append(char c)
    {
        if (_used == _page.Length)
        {
            NextPage();
        }

        _page[_used++] = c;
        Length++;
        return this;
    }

    public TextBuffer Append(char c, int repeat)
    {
        while (repeat > 0)
        {
            if (_used == _page.Length)
            {
                NextPage();
            }

            var n = System.Math.Min(repeat, _page.Length - _used);
            for (var end = _used + n; _used < end; _used++)
            {
                _page[_used] = c;
            }

            Length += n;
            repeat -= n;
        }

        return this;
    }

    public TextBuffer Append(string text) => Append(text, 0, text.Length);

    public TextBuffer Append(string text, int start, int count)
    {
        while (count > 0)
        {
            if (_used == _page.Length)
            {
                NextPage();
            }

            var n = System.Math.Min(count, _page.Length - _used);
            text.CopyTo(start, _page, _used, n);
            _used += n;
            Length += n;
            start += n;
            count -= n;
        }

        return this;
    }

    public TextBuffer Append(int value) => Append(value.ToString(CultureInfo.InvariantCulture));

    /// <summary>Empties the buffer for reuse (a scratch line), keeping its first page.</summary>
    public TextBuffer Clear()
    {
        CheckWritable();
        if (_pages.Count > 1)
        {
            _pages.RemoveRange(1, _pages.Count - 1);
        }

        _page = _pages.Count > 0 ? _pages[0] : _page;
        _used = 0;
        Length = 0;
        return this;
    }

    /// <summary>Ends writing: from now on the text is only read (see <see cref="GeneratedText"/>); an append throws.</summary>
    public void Freeze()
    {
        _frozen = true;
        _page = System.Array.Empty<char>(); // the next append asks for a page, which throws
        _used = 0;
    }

    public void CopyTo(int sourceIndex, char[] destination, int destinationIndex, int count)
    {
        if (sourceIndex < 0 || count < 0 || sourceIndex > Length - count)
        {
            throw new System.ArgumentOutOfRangeException(nameof(count));
        }

        while (count > 0)
        {
            var offset = sourceIndex & (PageSize - 1);
            var n = System.Math.Min(count, PageSize - offset);
            System.Array.Copy(_pages[sourceIndex >> PageBits], offset, destination, destinationIndex, n);
            sourceIndex += n;
            destinationIndex += n;
            count -= n;
        }
    }

    /// <summary>Whether both hold the same characters (page by page, vectorised).</summary>
    public bool ContentEquals(TextBuffer other)
    {
        if (Length != other.Length)
        {
            return false;
        }

        for (var i = 0; i < _pages.Count; i++)
        {
            var count = System.Math.Min(PageSize, Length - (i * PageSize));
            if (!System.MemoryExtensions.SequenceEqual(new System.ReadOnlySpan<char>(_pages[i], 0, count), new System.ReadOnlySpan<char>(other._pages[i], 0, count)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A hash of the characters (FNV-1a), consistent with <see cref="ContentEquals"/>.</summary>
    public int ContentHash()
    {
        unchecked
        {
            var hash = (int)2166136261;
            for (var i = 0; i < _pages.Count; i++)
            {
                var page = _pages[i];
                var count = System.Math.Min(PageSize, Length - (i * PageSize));
                for (var j = 0; j < count; j++)
                {
                    hash = (hash ^ page[j]) * 16777619;
                }
            }

            return hash;
        }
    }

    public override string ToString()
    {
        if (_pages.Count <= 1)
        {
            return _pages.Count == 0 ? "" : new string(_pages[0], 0, Length);
        }

        var chars = new char[Length];
        CopyTo(0, chars, 0, Length);
        return new string(chars);
    }

    private void NextPage()
    {
        CheckWritable();
        _page = new char[PageSize];
        _pages.Add(_page);
        _used = 0;
    }

    private void CheckWritable()
    {
        if (_frozen)
        {
            throw new System.InvalidOperationException("the generated text is finished: nothing more may be written into it");
        }
    }
}
