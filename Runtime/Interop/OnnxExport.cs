using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;
using Google.Protobuf;
using TorchSharp;
using static TorchSharp.torch;

namespace Dsl.Runtime.Interop;

/// <summary>
/// Writes an ONNX model (opset 17, IR version 8) from a generated <see cref="OnnxGraphDescription"/> and a module's
/// weights (its state_dict, by key). The protobuf is written field by field with Google.Protobuf's
/// <see cref="CodedOutputStream"/>: we only ever write nine of the schema's messages, and this keeps a protoc step
/// and generated schema classes out of the build (field numbers from onnx/onnx.proto, cited per message below).
/// </summary>
public static class OnnxExport
{
    /// <summary>The operator set: ONNX Runtime runs it, and the onnx 1.12 checker (Debian 12) accepts it.</summary>
    public const int Opset = 17;

    /// <summary>The IR version that goes with opset 17 (onnx 1.12).</summary>
    public const int IrVersion = 8;

    /// <summary>Writes the model to <paramref name="path"/>; see <see cref="ToBytes"/>.</summary>
    public static void Write(OnnxGraphDescription graph, nn.Module module, string path)
    {
        var bytes = ToBytes(graph, module);
        File.WriteAllBytes(path, bytes);
    }

    /// <summary>
    /// The serialised ModelProto. Throws <see cref="InvalidOperationException"/> when the module has no state_dict
    /// entry the graph names (the graph and the module come from different models).
    /// </summary>
    public static byte[] ToBytes(OnnxGraphDescription graph, nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(module);
        using var scope = torch.NewDisposeScope();
        var state = module.state_dict();
        var graphBytes = Message(o =>
        {
            // GraphProto: node = 1, name = 2, initializer = 5, input = 11, output = 12.
            foreach (var (node, i) in graph.Nodes.Select((n, i) => (n, i)))
            {
                WriteMessage(o, 1, Node(node, i));
            }

            WriteString(o, 2, graph.Name);
            foreach (var key in graph.Weights)
            {
                if (!state.TryGetValue(key, out var tensor))
                {
                    throw new InvalidOperationException($"the module has no state_dict entry '{key}' that the ONNX graph of {graph.Name} reads");
                }

                WriteMessage(o, 5, Weight(key, tensor));
            }

            foreach (var constant in graph.Constants)
            {
                WriteMessage(o, 5, Constant(constant));
            }

            foreach (var input in graph.Inputs)
            {
                WriteMessage(o, 11, ValueInfo(input));
            }

            foreach (var output in graph.Outputs)
            {
                WriteMessage(o, 12, ValueInfo(output));
            }
        });

        return Message(o =>
        {
            // ModelProto: ir_version = 1, producer_name = 2, producer_version = 3, graph = 7, opset_import = 8.
            o.WriteTag(1, WireFormat.WireType.Varint);
            o.WriteInt64(IrVersion);
            WriteString(o, 2, "Dsl");
            WriteString(o, 3, typeof(OnnxExport).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0");
            WriteMessage(o, 7, graphBytes);

            // OperatorSetIdProto: domain = 1 (empty: the default domain), version = 2.
            WriteMessage(o, 8, Message(s =>
            {
                s.WriteTag(2, WireFormat.WireType.Varint);
                s.WriteInt64(Opset);
            }));
        });
    }

    // NodeProto: input = 1, output = 2, name = 3, op_type = 4, attribute = 5.
    private static byte[] Node(OnnxNode node, int index) => Message(o =>
    {
        foreach (var input in node.Inputs)
        {
            WriteString(o, 1, input);
        }

        foreach (var output in node.Outputs)
        {
            WriteString(o, 2, output);
        }

        WriteString(o, 3, $"{node.Op}_{index}");
        WriteString(o, 4, node.Op);
        foreach (var attribute in node.Attributes)
        {
            WriteMessage(o, 5, Attribute(attribute));
        }
    });

    // AttributeProto: name = 1, f = 2, i = 3, s = 4, ints = 8, type = 20 (FLOAT 1, INT 2, STRING 3, INTS 7).
    private static byte[] Attribute(OnnxAttribute a) => Message(o =>
    {
        WriteString(o, 1, a.Name);
        int type;
        if (a.Ints is { } ints)
        {
            foreach (var v in ints)
            {
                o.WriteTag(8, WireFormat.WireType.Varint);
                o.WriteInt64(v);
            }

            type = 7;
        }
        else if (a.Float is { } f)
        {
            o.WriteTag(2, WireFormat.WireType.Fixed32);
            o.WriteFloat(f);
            type = 1;
        }
        else if (a.String is { } s)
        {
            WriteString(o, 4, s);
            type = 3;
        }
        else
        {
            o.WriteTag(3, WireFormat.WireType.Varint);
            o.WriteInt64(a.Int);
            type = 2;
        }

        o.WriteTag(20, WireFormat.WireType.Varint);
        o.WriteInt32(type);
    });

    // TensorProto: dims = 1, data_type = 2 (FLOAT 1, INT64 7), name = 8, raw_data = 9 (little-endian).
    private static byte[] Tensor(string name, long[] dims, int dataType, byte[] raw) => Message(o =>
    {
        foreach (var d in dims)
        {
            o.WriteTag(1, WireFormat.WireType.Varint);
            o.WriteInt64(d);
        }

        o.WriteTag(2, WireFormat.WireType.Varint);
        o.WriteInt32(dataType);
        WriteString(o, 8, name);
        o.WriteTag(9, WireFormat.WireType.LengthDelimited);
        o.WriteBytes(ByteString.CopyFrom(raw));
    });

    private static byte[] Weight(string key, Tensor tensor)
    {
        // Inference weights: detached, on the CPU, as float32, in row-major order.
        var values = tensor.detach().cpu().to_type(ScalarType.Float32).contiguous().data<float>().ToArray();
        return Tensor(key, tensor.shape, 1, LittleEndian(values));
    }

    private static byte[] Constant(OnnxConstant c)
    {
        if (c.Int64s is { } longs)
        {
            return Tensor(c.Name, c.Scalar ? Array.Empty<long>() : new long[] { longs.Length }, 7, LittleEndian(longs));
        }

        var floats = c.Floats!;
        return Tensor(c.Name, c.Scalar ? Array.Empty<long>() : new long[] { floats.Length }, 1, LittleEndian(floats));
    }

    // ValueInfoProto: name = 1, type = 2; TypeProto: tensor_type = 1; TypeProto.Tensor: elem_type = 1, shape = 2;
    // TensorShapeProto: dim = 1; Dimension: dim_value = 1, dim_param = 2 (neither: unknown).
    private static byte[] ValueInfo(OnnxValue value) => Message(o =>
    {
        WriteString(o, 1, value.Name);
        var shape = Message(s =>
        {
            foreach (var dim in value.Dims)
            {
                WriteMessage(s, 1, Message(d =>
                {
                    if (long.TryParse(dim, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var size))
                    {
                        d.WriteTag(1, WireFormat.WireType.Varint);
                        d.WriteInt64(size);
                    }
                    else if (dim.Length > 0)
                    {
                        WriteString(d, 2, dim);
                    }
                }));
            }
        });
        var tensorType = Message(t =>
        {
            t.WriteTag(1, WireFormat.WireType.Varint);
            t.WriteInt32(value.Int64 ? 7 : 1);
            WriteMessage(t, 2, shape);
        });
        WriteMessage(o, 2, Message(t => WriteMessage(t, 1, tensorType)));
    });

    private static byte[] LittleEndian<T>(T[] values) where T : struct
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("ONNX export writes raw tensor data on little-endian machines only");
        }

        return MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
    }

    private static byte[] Message(Action<CodedOutputStream> write)
    {
        using var stream = new MemoryStream();
        using (var output = new CodedOutputStream(stream, leaveOpen: true))
        {
            write(output);
        }

        return stream.ToArray();
    }

    private static void WriteMessage(CodedOutputStream o, int field, byte[] message)
    {
        o.WriteTag(field, WireFormat.WireType.LengthDelimited);
        o.WriteBytes(ByteString.CopyFrom(message));
    }

    private static void WriteString(CodedOutputStream o, int field, string text)
    {
        o.WriteTag(field, WireFormat.WireType.LengthDelimited);
        o.WriteString(text);
    }

    /// <summary>The graph of a catalogue entry, or the one-line reason it has none.</summary>
    public static OnnxGraphDescription GraphOf(ModelCatalogEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (entry.OnnxGraph is null)
        {
            throw new InvalidOperationException($"{entry.Name}'s catalogue entry has no ONNX graph: rebuild it with this version of the Dsl generator");
        }

        try
        {
            return entry.OnnxGraph();
        }
        catch (NotSupportedException e)
        {
            throw new InvalidOperationException(e.Message, e);
        }
    }
}
