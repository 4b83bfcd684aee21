namespace Dsl.Runtime.Data;

/// <summary>Images read from an IDX file: <paramref name="Count"/> images of
/// <paramref name="Rows"/> × <paramref name="Columns"/> bytes each, row-major, one after the other.</summary>
/// <param name="Count">Number of images.</param>
/// <param name="Rows">Height of each image in pixels.</param>
/// <param name="Columns">Width of each image in pixels.</param>
/// <param name="Pixels">All pixels, <c>Count * Rows * Columns</c> bytes (0 = background).</param>
public sealed record IdxImages(int Count, int Rows, int Columns, byte[] Pixels);
