using System.Collections.Generic;
using System.Linq;

namespace Dsl.Generator.Emit;

/// <summary>
/// The names the exported Python file (<c>PyTorchSource</c>) cannot use as they are. A layer's attribute is its
/// state_dict key, so it is never renamed: a layer named like a Python keyword or like an attribute of PyTorch's
/// <c>nn.Module</c> is a DSL012 (see <see cref="Graph.BodyStructure"/>). Locals and class names are free to rename:
/// one named like a keyword, a builtin, a module or a helper of the file gets trailing underscores, chosen so no two
/// locals of a forward meet.
/// </summary>
public static class PythonNames
{
    /// <summary>Python's keywords (soft ones aside): <c>self.pass</c> is a syntax error.</summary>
    public static readonly IReadOnlyCollection<string> Keywords = new HashSet<string>(System.StringComparer.Ordinal)
    {
        "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del", "elif", "else",
        "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise",
        "return", "try", "while", "with", "yield",
    };

    /// <summary>
    /// The attributes and methods of PyTorch's <c>nn.Module</c> (2.x), which every class of the file derives from, and
    /// the file's own <c>_drop_path</c>: a layer attribute of one of these names would replace it (<c>self.float</c>)
    /// or make <c>__init__</c> fail.
    /// </summary>
    public static readonly IReadOnlyCollection<string> ModuleAttributes = new HashSet<string>(System.StringComparer.Ordinal)
    {
        "T_destination", "add_module", "apply", "bfloat16", "buffers", "call_super_init", "children", "compile", "cpu", "cuda", "double",
        "dump_patches", "eval", "extra_repr", "float", "forward", "get_buffer", "get_extra_state", "get_parameter", "get_submodule", "half",
        "ipu", "load_state_dict", "modules", "mtia", "named_buffers", "named_children", "named_modules", "named_parameters", "parameters",
        "register_backward_hook", "register_buffer", "register_forward_hook", "register_forward_pre_hook", "register_full_backward_hook",
        "register_full_backward_pre_hook", "register_load_state_dict_post_hook", "register_load_state_dict_pre_hook", "register_module",
        "register_parameter", "register_state_dict_post_hook", "register_state_dict_pre_hook", "requires_grad_", "set_extra_state",
        "set_submodule", "share_memory", "state_dict", "to", "to_empty", "train", "training", "type", "xpu", "zero_grad",
        "_parameters", "_buffers", "_non_persistent_buffers_set", "_backward_pre_hooks", "_backward_hooks", "_is_full_backward_hook",
        "_forward_hooks", "_forward_hooks_with_kwargs", "_forward_hooks_always_called", "_forward_pre_hooks", "_forward_pre_hooks_with_kwargs",
        "_state_dict_hooks", "_state_dict_pre_hooks", "_load_state_dict_pre_hooks", "_load_state_dict_post_hooks", "_modules", "_version",
        "_compiled_call_impl", "_call_impl", "_wrapped_call_impl", "_apply", "_get_name", "_named_members", "_load_from_state_dict",
        "_save_to_state_dict", "_replicate_for_data_parallel", "_slow_forward", "_drop_path",
    };

    /// <summary>What a local or a class of the file must not be called: keywords, builtins the file uses or may, its modules and helpers.</summary>
    private static readonly HashSet<string> Reserved = new(System.StringComparer.Ordinal)
    {
        "self", "torch", "nn", "F", "math", "input", "align_centre", "highway_merge", "residual_add", "SelfAttention", "UserModule",
        "abs", "aiter", "all", "anext", "any", "ascii", "bin", "bool", "breakpoint", "bytearray", "bytes", "callable", "chr", "classmethod",
        "compile", "complex", "copyright", "credits", "delattr", "dict", "dir", "divmod", "enumerate", "eval", "exec", "exit", "filter",
        "float", "format", "frozenset", "getattr", "globals", "hasattr", "hash", "help", "hex", "id", "int", "isinstance", "issubclass",
        "iter", "len", "license", "list", "locals", "map", "max", "memoryview", "min", "next", "object", "oct", "open", "ord", "pow", "print",
        "property", "quit", "range", "repr", "reversed", "round", "set", "setattr", "slice", "sorted", "staticmethod", "str", "sum", "super",
        "tuple", "type", "vars", "zip", "NotImplemented", "Ellipsis",
        "BaseException", "Exception", "ArithmeticError", "AssertionError", "AttributeError", "BufferError", "EOFError", "FloatingPointError",
        "GeneratorExit", "ImportError", "IndexError", "KeyError", "KeyboardInterrupt", "LookupError", "MemoryError", "NameError",
        "NotImplementedError", "OSError", "OverflowError", "RecursionError", "ReferenceError", "RuntimeError", "StopIteration",
        "SyntaxError", "SystemError", "SystemExit", "TypeError", "UnboundLocalError", "ValueError", "ZeroDivisionError", "Warning",
    };

    private static bool IsReserved(string name) => Keywords.Contains(name) || Reserved.Contains(name) || name.StartsWith("__", System.StringComparison.Ordinal);

    /// <summary>A class name of the file: reserved ones get a trailing underscore.</summary>
    public static string Class(string name) => IsReserved(name) ? name + "_" : name;

    /// <summary>
    /// The locals of one forward: each requested name as it is, or, when reserved, with underscores added until it is
    /// neither reserved nor any other requested name (so <c>max</c> and <c>max_</c> stay two locals).
    /// </summary>
    public static Dictionary<string, string> Locals(IEnumerable<string> requested)
    {
        var all = new HashSet<string>(requested, System.StringComparer.Ordinal) { "input" };
        var map = new Dictionary<string, string>(System.StringComparer.Ordinal) { ["input"] = "input" };
        var assigned = new HashSet<string>(System.StringComparer.Ordinal);
        foreach (var name in requested)
        {
            if (map.ContainsKey(name))
            {
                continue;
            }

            var local = name;
            if (IsReserved(name))
            {
                local = name + "_";
                while (IsReserved(local) || all.Contains(local) || assigned.Contains(local))
                {
                    local += "_";
                }
            }

            map[name] = local;
            assigned.Add(local);
        }

        return map;
    }
}
