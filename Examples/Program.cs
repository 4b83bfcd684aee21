// The whole tool: list, summary, train, evaluate, check and diagram over the models of this assembly (DslApp, in Dsl.Runtime).
return Dsl.Runtime.DslApp.Run(args);
