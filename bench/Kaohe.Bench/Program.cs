using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using Kaohe.Bench;

// --check : build the workload and check the engine's results at scale (exit 1 on a failure).
// --quick : a short BenchmarkDotNet job (whole run < 3 minutes) instead of the default one.
// Everything else goes to BenchmarkDotNet (e.g. --filter '*').
if (args.Contains("--check")) return ScaleCheck.Run();

var quick = args.Contains("--quick");
var rest = args.Where(a => a != "--quick").ToArray();
// Pin to the first core: the targets are "on one core of this 2-core machine".
var job = (quick ? Job.ShortRun.WithId("Quick") : Job.Default.WithId("OneCore")).WithAffinity(1);
var config = DefaultConfig.Instance
    .AddJob(job);
BenchmarkSwitcher.FromAssembly(typeof(EngineBenchmarks).Assembly).Run(rest, config);
return 0;
