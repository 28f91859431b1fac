using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using Kaohe.Bench;

// --check : build the workload and check the engine's results at scale (exit 1 on a failure).
// --quick : a short BenchmarkDotNet job (whole run < 3 minutes) instead of the default one.
// --profile : add EventPipe CPU sampling (speedscope files), for finding where the time goes.
// Everything else goes to BenchmarkDotNet (e.g. --filter '*').
if (args.Contains("--check")) return ScaleCheck.Run();
// --figures : the engine's name: value lines for bench/run.sh (Stopwatch medians, a few seconds).
if (args.Contains("--figures")) return Figures.Run();
// --growth : the engine at 300, 3,000 and 30,000 units, as a table (bench/growth.sh).
if (args.Contains("--growth")) return Growth.Run();
// --file SCALE PATH [--formulas] : the workload of a growth scale (tenth, national, ten-times) as a compact file, for timing the CLI.
if (args.Length >= 3 && args[0] == "--file") return Growth.WriteFile(args[1], args[2], args.Contains("--formulas"));
// --spin compute|groups|incremental SECONDS : run one operation in a loop, for an outside sampling profiler
// (DOTNET_PerfMapEnabled=1 perf record -g dotnet Kaohe.Bench.dll --spin compute 10).
if (args.Length >= 1 && args[0] == "--spin") return Spin.Run(args.Length > 1 ? args[1] : "compute", args.Length > 2 ? double.Parse(args[2]) : 10);

var quick = args.Contains("--quick");
var profile = args.Contains("--profile");
var rest = args.Where(a => a is not ("--quick" or "--profile")).ToArray();
// Pin to the first core: the targets are "on one core of this 2-core machine".
var job = (quick ? Job.ShortRun.WithId("Quick") : Job.Default.WithId("OneCore")).WithAffinity(1);
// Median and Min next to the mean: the machine is shared, and other work inflates some iterations.
IConfig config = DefaultConfig.Instance.AddJob(job).AddColumn(StatisticColumn.Median, StatisticColumn.Min);
// --profile : CPU sampling with EventPipe; writes a speedscope file per benchmark under BenchmarkDotNet.Artifacts.
if (profile) config = config.AddDiagnoser(new EventPipeProfiler(EventPipeProfile.CpuSampling));
BenchmarkSwitcher.FromAssembly(typeof(EngineBenchmarks).Assembly).Run(rest, config);
return 0;
