using System.Diagnostics;
using Kaohe.Generate;

// dotnet run -c Release --project bench/Kaohe.Generate -- --scale national --out DIR [--password P]
// dotnet run -c Release --project bench/Kaohe.Generate -- --scale national --postgres "Host=...;Database=..." [--password P]
// Writes a national-scale database (issue 9): 3,000 units in ~100 ranking groups, the 2023 periods,
// one 60-leaf scheme per quarter, four quarters of facts, and an office account.
if (args.Contains("--survey-codes")) return await SurveyCodes.RunAsync(args); // single-use survey codes for bench/parts/20-survey.sh
var options = Options.Parse(args);
if (options is null)
{
    Console.Error.WriteLine("usage: Kaohe.Generate --scale national (--out DIR | --postgres CONNECTION) [--password PASSWORD]");
    return 1;
}
var sw = Stopwatch.StartNew();
var summary = await NationalDatabase.WriteAsync(options, new ProgressBar(Console.Error));
Console.WriteLine($"generated in {sw.Elapsed.TotalSeconds:F1} s: {summary}");
return 0;
