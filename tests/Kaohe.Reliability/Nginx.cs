using System.Diagnostics;

namespace Kaohe.Reliability;

/// <summary>Debian's nginx on a loopback port, balancing round-robin over the given instances (installed by ./test.sh).</summary>
public sealed class Nginx : IAsyncDisposable
{
    private readonly string _prefix = Path.Combine(Path.GetTempPath(), "kaohe-nginx-" + Guid.NewGuid().ToString("N"));
    private Process? _process;

    public int Port { get; } = AppProcess.FreePort();

    /// <summary>TLS in front (a certificate and key in PEM), as production has it: <see cref="BaseUrl"/> is then https.</summary>
    public (string Certificate, string Key)? Tls { get; init; }

    /// <summary>The address nginx connects to the instances from (<c>proxy_bind</c>): a test tells the proxy from a client by it.</summary>
    public string? Bind { get; init; }

    public string BaseUrl => $"{(Tls is null ? "http" : "https")}://127.0.0.1:{Port}";

    public static string Binary => File.Exists("/usr/sbin/nginx") ? "/usr/sbin/nginx"
        : throw new InvalidOperationException("nginx is not installed: ./test.sh installs Debian's nginx package");

    public async Task StartAsync(IEnumerable<AppProcess> upstreams)
    {
        Directory.CreateDirectory(Path.Combine(_prefix, "logs"));
        Directory.CreateDirectory(Path.Combine(_prefix, "tmp"));
        var servers = string.Concat(upstreams.Select(u => $"    server 127.0.0.1:{u.Port} max_fails=0;\n"));
        var conf = $$"""
            worker_processes 1;
            daemon off;
            pid {{_prefix}}/nginx.pid;
            error_log {{_prefix}}/logs/error.log warn;
            events { worker_connections 1024; }
            http {
              access_log off;
              client_body_temp_path {{_prefix}}/tmp/body;
              proxy_temp_path {{_prefix}}/tmp/proxy;
              fastcgi_temp_path {{_prefix}}/tmp/fastcgi;
              uwsgi_temp_path {{_prefix}}/tmp/uwsgi;
              scgi_temp_path {{_prefix}}/tmp/scgi;
              client_max_body_size 50m;
              upstream kaohe {
            {{servers}}    keepalive 64;
              }
              server {
                listen 127.0.0.1:{{Port}}{{(Tls is null ? "" : " ssl")}};
            {{(Tls is { } tls ? $"    ssl_certificate {tls.Certificate};\n    ssl_certificate_key {tls.Key};\n" : "")}}
                location / {
                  proxy_pass http://kaohe;
                  proxy_http_version 1.1;
            {{(Bind is null ? "" : $"      proxy_bind {Bind};\n")}}
                  proxy_set_header Connection "";
                  proxy_set_header Host $http_host;
                  proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                  proxy_set_header X-Forwarded-Proto $scheme;
                  proxy_next_upstream off;
                }
              }
            }
            """;
        var file = Path.Combine(_prefix, "nginx.conf");
        await File.WriteAllTextAsync(file, conf);
        _process = Process.Start(new ProcessStartInfo(Binary, ["-p", _prefix, "-c", file])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException("nginx did not start");
        // The test's own certificate, if any, is the only one this probe accepts.
        using var http = new HttpClient(new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => Tls is not null } }) { Timeout = TimeSpan.FromSeconds(2) };
        for (var i = 0; i < 100; i++)
        {
            if (_process.HasExited)
                throw new InvalidOperationException("nginx exited: " + await _process.StandardError.ReadToEndAsync() + await ReadLog());
            try
            {
                if ((await http.GetAsync(BaseUrl + "/healthz")).IsSuccessStatusCode) return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { }
            await Task.Delay(100);
        }
        throw new TimeoutException("nginx did not proxy /healthz: " + await ReadLog());
    }

    private Task<string> ReadLog()
    {
        var log = Path.Combine(_prefix, "logs", "error.log");
        return File.Exists(log) ? File.ReadAllTextAsync(log) : Task.FromResult("");
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process?.Dispose();
        try { Directory.Delete(_prefix, true); } catch (IOException) { }
    }
}
