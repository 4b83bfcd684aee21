using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Text;
using Dsl.Runtime.IO;

namespace Dsl.Runtime.Checkpoints;

/// <summary>A storage a pickle refers to by persistent id: <c>('storage', torch.FloatStorage, key, location, elements)</c>.</summary>
internal sealed record PickledStorage(string Key, string TypeName, long Elements);

/// <summary>A tensor the pickle rebuilds (<c>torch._utils._rebuild_tensor_v2</c>): a view of a storage.</summary>
internal sealed record PickledTensor(PickledStorage Storage, long Offset, long[] Shape, long[] Stride);

/// <summary>
/// Reads the pickle of a state_dict as <c>torch.save(model.state_dict())</c> writes it (protocols 2 to 5), and nothing
/// else: a dict (or <c>collections.OrderedDict</c>) of names to tensors. It is a data reader, not an unpickler: it calls
/// no constructor, imports nothing, and knows exactly four globals (<c>collections.OrderedDict</c>, torch's two tensor
/// rebuild functions and torch's typed storage classes); any other global, opcode or shape of data is refused with the
/// reason. Every length in the pickle is checked against the bytes left before anything is allocated, and every value
/// it creates costs at least one byte of the pickle and at most a few dozen bytes of memory, so memory is bounded by a
/// small multiple of the pickle's size (which <see cref="PthFile.MaxPickleBytes"/> bounds).
/// </summary>
internal sealed class StateDictPickle
{
    /// <summary>The deepest nesting of MARKs a state_dict pickle needs is about four; more is a hostile file.</summary>
    private const int MaxMarks = 64;

    private static readonly object[] EmptyTuple = [];
    private static readonly object True = true;
    private static readonly object False = false;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly byte[] data;
    private readonly string path;
    private readonly List<object?> stack = new();
    private readonly Stack<int> marks = new();
    private readonly Dictionary<long, object?> memo = new();
    private readonly Dictionary<string, PickledStorage> storages = new(StringComparer.Ordinal);
    private int position;

    private StateDictPickle(byte[] data, string path)
    {
        this.data = data;
        this.path = path;
    }

    /// <summary>The tensors of the state_dict pickled in <paramref name="pickle"/>, in the pickle's order.</summary>
    /// <param name="pickle">The bytes of <c>data.pkl</c>.</param>
    /// <param name="path">The file, for messages.</param>
    /// <exception cref="CheckpointCorruptException">The pickle is malformed, or is something other than a state_dict of tensors.</exception>
    public static List<(string Name, PickledTensor Tensor)> Read(byte[] pickle, string path)
    {
        var reader = new StateDictPickle(pickle, path);
        var root = reader.Run();
        if (root is not PickledDict dict)
            throw reader.Refuse($"its pickle holds a {Describe(root)}, not a state_dict (a dict of names to tensors)");
        var tensors = new List<(string, PickledTensor)>(dict.Items.Count);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, value) in dict.Items)
        {
            if (key is not string name)
                throw reader.Refuse($"its state_dict has a key that is a {Describe(key)}, not a string");
            if (value is not PickledTensor tensor)
                throw reader.Refuse($"it holds no plain state_dict: the entry \"{Names.Printable(name)}\" is a {Describe(value)}, not a tensor " +
                                    "(a full training checkpoint? save model.state_dict() alone)");
            if (!names.Add(name))
                throw reader.Refuse($"its state_dict names \"{Names.Printable(name)}\" twice");
            tensors.Add((name, tensor));
        }
        return tensors;
    }

    private object? Run()
    {
        while (true)
        {
            var opcode = Byte();
            switch (opcode)
            {
                case 0x80: // PROTO
                    var protocol = Byte();
                    if (protocol is < 2 or > 5)
                        throw Refuse($"its pickle uses protocol {protocol}; torch.save writes 2 to 5");
                    break;
                case 0x95: // FRAME: a length prefix that changes nothing for a reader of the whole buffer
                    Take(8);
                    break;
                case (byte)'.': // STOP
                    if (stack.Count != 1 || marks.Count != 0)
                        throw Refuse("its pickle stops with an unbalanced stack");
                    return stack[0];

                case (byte)'(': // MARK
                    if (marks.Count == MaxMarks)
                        throw Refuse($"its pickle nests deeper than {MaxMarks} levels");
                    marks.Push(stack.Count);
                    break;
                case (byte)'0': // POP
                    Pop();
                    break;
                case (byte)'1': // POP_MARK
                    PopMark();
                    break;

                case (byte)'N': Push(null); break;
                case 0x88: Push(True); break; // NEWTRUE
                case 0x89: Push(False); break; // NEWFALSE
                case (byte)'J': Push((long)BinaryPrimitives.ReadInt32LittleEndian(Take(4))); break; // BININT
                case (byte)'K': Push((long)Byte()); break; // BININT1
                case (byte)'M': Push((long)BinaryPrimitives.ReadUInt16LittleEndian(Take(2))); break; // BININT2
                case 0x8a: Push(Long(Byte())); break; // LONG1
                case 0x8b: Push(Long(Length(4))); break; // LONG4
                case (byte)'G': Push(BinaryPrimitives.ReadDoubleBigEndian(Take(8))); break; // BINFLOAT

                case (byte)'X': Push(Text(Length(4))); break; // BINUNICODE
                case 0x8c: Push(Text(Byte())); break; // SHORT_BINUNICODE
                case 0x8d: Push(Text(Length(8))); break; // BINUNICODE8
                case (byte)'U': Push(Latin1(Byte())); break; // SHORT_BINSTRING (protocol 2's str)
                case (byte)'T': Push(Latin1(Length(4))); break; // BINSTRING
                case (byte)'C': Push(Take(Byte()).ToArray()); break; // SHORT_BINBYTES
                case (byte)'B': Push(Take(Length(4)).ToArray()); break; // BINBYTES

                case (byte)')': Push(EmptyTuple); break; // EMPTY_TUPLE
                case 0x85: Push(new[] { Pop() }); break; // TUPLE1
                case 0x86: // TUPLE2
                {
                    var second = Pop();
                    Push(new[] { Pop(), second });
                    break;
                }
                case 0x87: // TUPLE3
                {
                    var third = Pop();
                    var second = Pop();
                    Push(new[] { Pop(), second, third });
                    break;
                }
                case (byte)'t': Push(PopMark().ToArray()); break; // TUPLE
                case (byte)']': Push(new List<object?>()); break; // EMPTY_LIST
                case (byte)'l': Push(PopMark()); break; // LIST
                case (byte)'a': // APPEND
                {
                    var item = Pop();
                    Peek<List<object?>>("APPEND").Add(item);
                    break;
                }
                case (byte)'e': // APPENDS
                {
                    var items = PopMark();
                    Peek<List<object?>>("APPENDS").AddRange(items);
                    break;
                }
                case (byte)'}': Push(new PickledDict()); break; // EMPTY_DICT
                case (byte)'d': // DICT
                {
                    var dict = new PickledDict();
                    AddPairs(dict, PopMark());
                    Push(dict);
                    break;
                }
                case (byte)'s': // SETITEM
                {
                    var value = Pop();
                    var key = Pop();
                    Peek<PickledDict>("SETITEM").Items.Add((key, value));
                    break;
                }
                case (byte)'u': // SETITEMS
                {
                    var pairs = PopMark();
                    AddPairs(Peek<PickledDict>("SETITEMS"), pairs);
                    break;
                }

                case (byte)'q': Memoize(Byte()); break; // BINPUT
                case (byte)'r': Memoize(BinaryPrimitives.ReadUInt32LittleEndian(Take(4))); break; // LONG_BINPUT
                case 0x94: Memoize(memo.Count); break; // MEMOIZE
                case (byte)'h': Push(Recall(Byte())); break; // BINGET
                case (byte)'j': Push(Recall(BinaryPrimitives.ReadUInt32LittleEndian(Take(4)))); break; // LONG_BINGET

                case (byte)'c': Push(Global(Line(), Line())); break; // GLOBAL
                case 0x93: // STACK_GLOBAL
                {
                    var name = Pop();
                    var module = Pop();
                    if (module is not string m || name is not string n)
                        throw Refuse("its pickle names a global with something other than two strings");
                    Push(Global(m, n));
                    break;
                }
                case (byte)'Q': Push(PersistentLoad(Pop())); break; // BINPERSID
                case (byte)'R': // REDUCE
                {
                    var arguments = Pop();
                    var callable = Pop();
                    if (arguments is not object?[] tuple)
                        throw Refuse("its pickle calls a function with arguments that are not a tuple");
                    Push(Reduce(callable, tuple));
                    break;
                }
                case (byte)'b': // BUILD: only the OrderedDict's _metadata attribute (module versions), which is not needed
                {
                    var state = Pop();
                    var target = stack.Count > 0 ? stack[^1] : null;
                    if (target is not PickledDict || state is not (PickledDict or null))
                        throw Refuse($"its pickle sets the state of a {Describe(target)}, which a state_dict does not");
                    break;
                }

                default:
                    throw Refuse($"its pickle has the opcode 0x{opcode:x2} at byte {position - 1}, which a state_dict written by torch.save does not use");
            }
        }
    }

    /// <summary>The globals a state_dict needs; a global is only a name here, nothing is imported or called.</summary>
    private object Global(string module, string name)
    {
        if ((module, name) is ("collections", "OrderedDict") or ("torch._utils", "_rebuild_tensor_v2") or ("torch._utils", "_rebuild_tensor"))
            return new PickledGlobal(module, name);
        if (module == "torch" && WeightDTypes.OfTorchStorage(name) is not null)
            return new PickledGlobal(module, name);
        if (module == "torch._utils" && name == "_rebuild_parameter")
            throw Refuse("it holds nn.Parameter objects, not a state_dict (a pickled module? save model.state_dict() alone)");
        throw Refuse($"its pickle refers to the Python global {Names.Printable(module)}.{Names.Printable(name)}, which a state_dict of tensors does not need " +
                     "(only collections.OrderedDict, torch._utils._rebuild_tensor_v2 and torch's storage types are read)");
    }

    private object PersistentLoad(object? id)
    {
        if (id is not object?[] { Length: 5 } tuple || tuple[0] is not "storage")
            throw Refuse("its pickle has a persistent id that is not ('storage', type, key, location, size)");
        if (tuple[1] is not PickledGlobal { Module: "torch" } type || WeightDTypes.OfTorchStorage(type.Name) is null)
            throw Refuse($"its pickle has a storage of type {Describe(tuple[1])}, not one of torch's typed storages");
        if (tuple[2] is not string key || key.Length == 0)
            throw Refuse("its pickle has a storage whose key is not a string");
        if (tuple[4] is not long elements || elements < 0)
            throw Refuse($"its pickle has a storage \"{Names.Printable(key)}\" whose size is not a non-negative integer");
        // A storage shared by several tensors (tied weights, views) is one object, read at most once per tensor that needs it.
        if (storages.TryGetValue(key, out var known))
        {
            if (known.TypeName != type.Name || known.Elements != elements)
                throw Refuse($"its pickle declares the storage \"{Names.Printable(key)}\" twice, as {known.TypeName} of {known.Elements} and as {type.Name} of {elements}");
            return known;
        }
        var storage = new PickledStorage(key, type.Name, elements);
        storages.Add(key, storage);
        return storage;
    }

    private object Reduce(object? callable, object?[] arguments)
    {
        if (callable is not PickledGlobal global)
            throw Refuse($"its pickle calls a {Describe(callable)}");
        if (global.Name == "OrderedDict")
        {
            // OrderedDict() or, as PyBridge writes backward hooks, OrderedDict(()): empty either way.
            if (arguments.Length > 1 || arguments.Length == 1 && arguments[0] is not (object?[] { Length: 0 } or List<object?> { Count: 0 }))
                throw Refuse("its pickle builds an OrderedDict from items, which torch.save does not");
            return new PickledDict();
        }
        if (global.Name is not ("_rebuild_tensor_v2" or "_rebuild_tensor"))
            throw Refuse($"its pickle calls {global.Module}.{global.Name}");
        // _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata]); v1 has the first four.
        var expected = global.Name == "_rebuild_tensor" ? 4 : 6;
        if (arguments.Length != expected && !(expected == 6 && arguments.Length == 7))
            throw Refuse($"its pickle rebuilds a tensor from {arguments.Length} arguments, not {expected}");
        if (arguments[0] is not PickledStorage storage)
            throw Refuse($"its pickle rebuilds a tensor from a {Describe(arguments[0])}, not a storage");
        if (arguments[1] is not long offset)
            throw Refuse("its pickle rebuilds a tensor whose storage offset is not an integer");
        var shape = Integers(arguments[2], "size");
        var stride = Integers(arguments[3], "stride");
        if (shape.Length != stride.Length)
            throw Refuse($"its pickle rebuilds a tensor with {shape.Length} sizes but {stride.Length} strides");
        if (expected == 6 && arguments[5] is not (PickledDict or null))
            throw Refuse("its pickle rebuilds a tensor with backward hooks, which a state_dict does not keep");
        return new PickledTensor(storage, offset, shape, stride);
    }

    private long[] Integers(object? value, string what)
    {
        if (value is not object?[] tuple)
            throw Refuse($"its pickle rebuilds a tensor whose {what} is a {Describe(value)}, not a tuple");
        var result = new long[tuple.Length];
        for (var i = 0; i < tuple.Length; i++)
            result[i] = tuple[i] is long n ? n : throw Refuse($"its pickle rebuilds a tensor whose {what} holds a {Describe(tuple[i])}");
        return result;
    }

    private void AddPairs(PickledDict dict, List<object?> items)
    {
        if (items.Count % 2 != 0)
            throw Refuse("its pickle sets dict items from an odd number of values");
        for (var i = 0; i < items.Count; i += 2)
            dict.Items.Add((items[i], items[i + 1]));
    }

    private void Memoize(long index)
    {
        if (stack.Count == 0)
            throw Refuse("its pickle memoizes from an empty stack");
        memo[index] = stack[^1];
    }

    private object? Recall(long index) =>
        memo.TryGetValue(index, out var value) ? value : throw Refuse($"its pickle recalls memo {index}, which was never stored");

    private void Push(object? value) => stack.Add(value);

    private object? Pop()
    {
        var floor = marks.Count > 0 ? marks.Peek() : 0;
        if (stack.Count <= floor)
            throw Refuse($"its pickle pops an empty stack at byte {position - 1}");
        var value = stack[^1];
        stack.RemoveAt(stack.Count - 1);
        return value;
    }

    private List<object?> PopMark()
    {
        if (marks.Count == 0)
            throw Refuse($"its pickle has no MARK for the opcode at byte {position - 1}");
        var start = marks.Pop();
        var items = stack.GetRange(start, stack.Count - start);
        stack.RemoveRange(start, stack.Count - start);
        return items;
    }

    private T Peek<T>(string opcode) where T : class =>
        (stack.Count > (marks.Count > 0 ? marks.Peek() : 0) ? stack[^1] : null) as T
        ?? throw Refuse($"its pickle applies {opcode} to a {Describe(stack.Count > 0 ? stack[^1] : null)}");

    private byte Byte() => Take(1)[0];

    /// <summary>The next <paramref name="count"/> bytes; a length beyond the pickle is refused before anything is allocated.</summary>
    private ReadOnlySpan<byte> Take(long count)
    {
        if (count < 0 || count > data.Length - position)
            throw Refuse($"its pickle ends early: {count} bytes are needed at byte {position} of {data.Length}");
        var span = data.AsSpan(position, (int)count);
        position += (int)count;
        return span;
    }

    private long Length(int width)
    {
        var bytes = Take(width);
        return width == 4 ? BinaryPrimitives.ReadUInt32LittleEndian(bytes) : unchecked((long)BinaryPrimitives.ReadUInt64LittleEndian(bytes));
    }

    /// <summary>A little-endian two's complement integer of up to 8 bytes (LONG1/LONG4); larger ones are not sizes of anything.</summary>
    private long Long(long count)
    {
        if (count > 8)
            throw Refuse($"its pickle has a {count}-byte integer, beyond any size or offset");
        var bytes = Take(count);
        long value = 0;
        for (var i = bytes.Length - 1; i >= 0; i--)
            value = (value << 8) | bytes[i];
        if (bytes.Length is > 0 and < 8 && (bytes[^1] & 0x80) != 0)
            value -= 1L << (8 * bytes.Length);
        return value;
    }

    private string Text(long count)
    {
        var bytes = Take(count);
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw Refuse($"its pickle has a string that is not valid UTF-8 at byte {position - count}");
        }
    }

    private string Latin1(long count) => Encoding.Latin1.GetString(Take(count));

    /// <summary>A newline-ended line of GLOBAL, at most 256 bytes (module and class names are short).</summary>
    private string Line()
    {
        var end = Array.IndexOf(data, (byte)'\n', position, Math.Min(256, data.Length - position));
        if (end < 0)
            throw Refuse($"its pickle has a GLOBAL name without an end at byte {position}");
        var text = Encoding.ASCII.GetString(data, position, end - position);
        position = end + 1;
        return text;
    }

    private CheckpointCorruptException Refuse(string reason) => new(path, reason);

    private static string Describe(object? value) => value switch
    {
        null => "None",
        long => "integer",
        bool => "bool",
        double => "float",
        string => "string",
        byte[] => "bytes",
        object?[] => "tuple",
        List<object?> => "list",
        PickledDict => "dict",
        PickledTensor => "tensor",
        PickledStorage => "bare storage",
        PickledGlobal g => $"{g.Module}.{g.Name}",
        _ => value.GetType().Name,
    };

    private sealed record PickledGlobal(string Module, string Name);

    /// <summary>A dict; its list is made on the first item, so that an empty one (an opcode byte) costs one small object.</summary>
    private sealed class PickledDict
    {
        private List<(object? Key, object? Value)>? items;

        public List<(object? Key, object? Value)> Items => items ??= new();
    }
}
