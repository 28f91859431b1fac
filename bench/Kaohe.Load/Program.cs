using System.Diagnostics;
using System.Net;
using System.Text;
using Kaohe.Load;

// The load generator and the bare Kestrel baseline of bench/run.sh (issue 9). The same generator
// drives the baseline and the application, so their ratio measures the application's own cost.
//
//   bare  --port P                         a Kestrel that answers 200 to everything and does nothing else
//   load  --url U [--method GET|POST] [--body JSON] [--tokens FILE] [--header "Name: value"]...
//         [--connections 64] [--seconds 10 | --requests N] [--warmup 2] [--prefix name]
//         {token} in U or the body is replaced by the next line of FILE (each token used once).
//         Prints name: value lines (rps, p50/p95/p99 in ms, errors, every 2xx warm-up included, and
//         with --tokens how many codes were handed out).
//   soak run|verify ...                    the mixed load with faults of bench/soak.sh (Soak.cs)
return args.FirstOrDefault() switch
{
    "bare" => await Bare.RunAsync(args[1..]),
    "load" => await LoadRun.RunAsync(args[1..]),
    "soak" => await Soak.RunAsync(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Kaohe.Load bare --port P | load --url U [options] (see Program.cs)");
    return 1;
}

namespace Kaohe.Load
{
    internal static class Bare
    {
        public static async Task<int> RunAsync(string[] args)
        {
            var port = int.Parse(Arg(args, "--port") ?? "5999");
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
            var app = builder.Build();
            app.Map("/{**path}", () => Results.Ok());
            await app.RunAsync();
            return 0;
        }

        public static string? Arg(string[] args, string name)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        }
    }

    internal static class LoadRun
    {
        public static async Task<int> RunAsync(string[] args)
        {
            var url = Bare.Arg(args, "--url") ?? throw new ArgumentException("--url is required");
            var method = new HttpMethod(Bare.Arg(args, "--method") ?? "GET");
            var body = Bare.Arg(args, "--body");
            var tokensFile = Bare.Arg(args, "--tokens");
            var connections = int.Parse(Bare.Arg(args, "--connections") ?? "64");
            var seconds = double.Parse(Bare.Arg(args, "--seconds") ?? "10", System.Globalization.CultureInfo.InvariantCulture);
            var requests = Bare.Arg(args, "--requests") is { } r ? long.Parse(r) : (long?)null;
            var warmup = double.Parse(Bare.Arg(args, "--warmup") ?? "2", System.Globalization.CultureInfo.InvariantCulture);
            var prefix = Bare.Arg(args, "--prefix") ?? "load";
            var headers = new List<(string, string)>();
            for (var i = 0; i < args.Length - 1; i++)
                if (args[i] == "--header" && args[i + 1].IndexOf(':') is > 0 and var c)
                    headers.Add((args[i + 1][..c].Trim(), args[i + 1][(c + 1)..].Trim()));

            var tokens = tokensFile is null ? null : new TokenQueue(File.ReadAllLines(tokensFile).Where(l => l.Length > 0).ToArray());
            using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = connections, PooledConnectionLifetime = Timeout.InfiniteTimeSpan, UseCookies = false };
            using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };

            HttpRequestMessage Make()
            {
                var token = url.Contains("{token}") || (body?.Contains("{token}") ?? false) ? tokens?.Next() : null;
                if (token is null && tokens is not null) return null!;
                var req = new HttpRequestMessage(method, token is null ? url : url.Replace("{token}", token));
                foreach (var (k, v) in headers) req.Headers.TryAddWithoutValidation(k, v);
                if (body is not null) req.Content = new StringContent(token is null ? body : body.Replace("{token}", token), Encoding.UTF8, "application/json");
                return req;
            }

            // Warm-up: connections opened, JIT done, caches filled; not counted.
            var warm = new Recorder();
            if (warmup > 0) await Drive(client, Make, connections, TimeSpan.FromSeconds(warmup), null, warm);
            var rec = new Recorder();
            var sw = Stopwatch.StartNew();
            await Drive(client, Make, connections, requests is null ? TimeSpan.FromSeconds(seconds) : TimeSpan.MaxValue, requests, rec);
            var elapsed = sw.Elapsed.TotalSeconds;
            rec.Print(prefix, elapsed);
            // Every 2xx of the run, warm-up included: what a survey run checks against the rows stored.
            Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{prefix}_acknowledged: {warm.Ok + rec.Ok}"));
            // How many codes of --tokens were handed out (warm-up included): a later run starts after them.
            if (tokens is not null) Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{prefix}_tokens_used: {tokens.Used}"));
            return 0;
        }

        private static async Task Drive(HttpClient client, Func<HttpRequestMessage> make, int connections, TimeSpan duration, long? total, Recorder rec)
        {
            var stopAt = duration == TimeSpan.MaxValue ? long.MaxValue : Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
            long issued = 0;
            var workers = Enumerable.Range(0, connections).Select(async _ =>
            {
                while (Stopwatch.GetTimestamp() < stopAt && (total is null || Interlocked.Increment(ref issued) <= total))
                {
                    using var req = make();
                    if (req is null) return; // out of tokens
                    var start = Stopwatch.GetTimestamp();
                    int status;
                    try
                    {
                        using var resp = await client.SendAsync(req, HttpCompletionOption.ResponseContentRead);
                        status = (int)resp.StatusCode;
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                    {
                        status = 0;
                    }
                    rec.Add(status, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                }
            }).ToArray();
            await Task.WhenAll(workers);
        }
    }

    internal sealed class TokenQueue(string[] tokens)
    {
        private int _next = -1;

        public string? Next()
        {
            var i = Interlocked.Increment(ref _next);
            return i < tokens.Length ? tokens[i] : null;
        }

        public int Used => Math.Min(tokens.Length, Volatile.Read(ref _next) + 1);
    }

    internal sealed class Recorder
    {
        private readonly object _lock = new();
        private readonly List<double> _latencies = new(1 << 16);
        private readonly Dictionary<int, long> _status = [];

        public void Add(int status, double ms)
        {
            lock (_lock)
            {
                _latencies.Add(ms);
                _status[status] = _status.GetValueOrDefault(status) + 1;
            }
        }

        public long Ok
        {
            get { lock (_lock) return _status.Where(s => s.Key is >= 200 and < 300).Sum(s => s.Value); }
        }

        public void Print(string prefix, double seconds)
        {
            _latencies.Sort();
            double P(double q) => _latencies.Count == 0 ? double.NaN : _latencies[Math.Min(_latencies.Count - 1, (int)Math.Ceiling(q * _latencies.Count) - 1)];
            var ok = _status.Where(s => s.Key is >= 200 and < 300).Sum(s => s.Value);
            var inv = System.Globalization.CultureInfo.InvariantCulture;
            Console.WriteLine(string.Create(inv, $"{prefix}_requests: {_latencies.Count}"));
            Console.WriteLine(string.Create(inv, $"{prefix}_ok: {ok}"));
            Console.WriteLine(string.Create(inv, $"{prefix}_rps: {ok / seconds:F0}"));
            Console.WriteLine(string.Create(inv, $"{prefix}_p50_ms: {P(0.50):F2}"));
            Console.WriteLine(string.Create(inv, $"{prefix}_p95_ms: {P(0.95):F2}"));
            Console.WriteLine(string.Create(inv, $"{prefix}_p99_ms: {P(0.99):F2}"));
            Console.WriteLine($"{prefix}_status: " + string.Join(" ", _status.OrderBy(s => s.Key).Select(s => $"{(s.Key == 0 ? "error" : s.Key.ToString(inv))}={s.Value}")));
        }
    }
}
