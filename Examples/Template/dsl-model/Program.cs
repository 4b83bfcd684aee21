// The command-line app over the models of this project: list, summary, diagram, check, train, evaluate.
// Try `dotnet run -- summary DslModel1` and `dotnet run -- train DslModel1`.
return Dsl.Runtime.DslApp.Run(args);
