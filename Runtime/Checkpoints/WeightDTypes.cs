using static TorchSharp.torch;

namespace Dsl.Runtime.Checkpoints;

/// <summary>The dtypes the weight-file readers accept: their sizes, and torch's storage class names for them.</summary>
internal static class WeightDTypes
{
    /// <summary>Bytes per element (computed here, so that a file's declaration is checked before libtorch sees it).</summary>
    public static long ElementSize(ScalarType dtype) => dtype switch
    {
        ScalarType.Float64 or ScalarType.Int64 => 8,
        ScalarType.Float32 or ScalarType.Int32 => 4,
        ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Int16 => 2,
        _ => 1,
    };

    /// <summary>The dtype of one of torch's typed storage classes as <c>torch.save</c> names them (<c>FloatStorage</c>), or null.</summary>
    public static ScalarType? OfTorchStorage(string name) => name switch
    {
        "DoubleStorage" => ScalarType.Float64,
        "FloatStorage" => ScalarType.Float32,
        "HalfStorage" => ScalarType.Float16,
        "BFloat16Storage" => ScalarType.BFloat16,
        "LongStorage" => ScalarType.Int64,
        "IntStorage" => ScalarType.Int32,
        "ShortStorage" => ScalarType.Int16,
        "CharStorage" => ScalarType.Int8,
        "ByteStorage" => ScalarType.Byte,
        "BoolStorage" => ScalarType.Bool,
        _ => null,
    };
}
