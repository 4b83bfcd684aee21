using Dsl.Examples;
using Dsl.Runtime;

// The whole tool is DslApp; the models are listed by hand until the generator's catalogue lands (then: DslApp.Run(args)).
return DslApp.Run(args, ModelZoo.Models);
