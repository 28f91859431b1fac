using Kaohe.Data.Postgres;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Kaohe.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Xunit.Abstractions;

namespace Kaohe.Reliability;

/// <summary>
/// The application behind Debian's nginx terminating TLS (issue 17, item 4). nginx connects to the
/// instance from 127.0.0.3 (<c>proxy_bind</c>), the only address in <c>Kaohe:KnownProxies</c>; each test
/// client connects from an address of its own in 127.0.0.0/8, so the instance sees real, distinct
/// clients — through the proxy (named in X-Forwarded-For) or directly (not a proxy: its header is not believed).
/// </summary>
public sealed class ProxyTests(ProxyTests.Fixture f, ITestOutputHelper output) : IClassFixture<ProxyTests.Fixture>
{
    public const string ProxyAddress = "127.0.0.3";

    public sealed class Fixture : IAsyncLifetime
    {
        private readonly string _database = "kaohe_p_" + Guid.NewGuid().ToString("N")[..12];
        private readonly string _dir = Path.Combine(Path.GetTempPath(), "kaohe-proxy-" + Guid.NewGuid().ToString("N"));
        public string ConnectionString { get; private set; } = "";
        public AppProcess App { get; private set; } = null!;
        public Nginx Proxy { get; private set; } = null!;
        public string CertificateHash { get; private set; } = "";

        public async Task InitializeAsync()
        {
            Directory.CreateDirectory(_dir);
            await using (var conn = new NpgsqlConnection(Cluster.Server))
            {
                await conn.OpenAsync();
                await using var cmd = new NpgsqlCommand($"CREATE DATABASE {_database}", conn);
                await cmd.ExecuteNonQueryAsync();
            }
            ConnectionString = new NpgsqlConnectionStringBuilder(Cluster.Server) { Database = _database }.ConnectionString;
            App = new AppProcess("behind-tls", AppProcess.PostgresEnv(ConnectionString, Path.Combine(_dir, "data"),
                ("Kaohe__KnownProxies", ProxyAddress), ("Kaohe__SurveyPerMinute", "3"), ("Kaohe__LoginAttemptsPerMinute", "100")));
            await App.StartAsync();
            // A certificate of the test's own, for nginx's TLS.
            using var rsa = RSA.Create(2048);
            var request = new CertificateRequest("CN=kaohe.test", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            var san = new SubjectAlternativeNameBuilder();
            san.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(san.Build());
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));
            CertificateHash = certificate.GetCertHashString();
            var certFile = Path.Combine(_dir, "cert.pem");
            var keyFile = Path.Combine(_dir, "key.pem");
            await File.WriteAllTextAsync(certFile, certificate.ExportCertificatePem());
            await File.WriteAllTextAsync(keyFile, rsa.ExportPkcs8PrivateKeyPem());
            Proxy = new Nginx { Tls = (certFile, keyFile), Bind = ProxyAddress };
            await Proxy.StartAsync([App]);
        }

        /// <summary>A client connecting from <paramref name="address"/>, trusting only this test's certificate.</summary>
        public HttpClient From(string address, string baseUrl) => new(new SocketsHttpHandler
        {
            UseCookies = false,
            AllowAutoRedirect = false,
            SslOptions = { RemoteCertificateValidationCallback = (_, cert, _, _) => cert?.GetCertHashString() == CertificateHash },
            ConnectCallback = async (context, ct) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                socket.Bind(new IPEndPoint(IPAddress.Parse(address), 0));
                await socket.ConnectAsync(context.DnsEndPoint, ct);
                return new NetworkStream(socket, ownsSocket: true);
            },
        })
        { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(60) };

        public KaoheDbContext Db() => new PostgresKaoheDbContext(new DbContextOptionsBuilder<PostgresKaoheDbContext>().UseNpgsql(ConnectionString).Options);

        public async Task DisposeAsync()
        {
            if (Proxy is not null) await Proxy.DisposeAsync();
            if (App is not null) await App.DisposeAsync();
            NpgsqlConnection.ClearAllPools();
            await using (var conn = new NpgsqlConnection(Cluster.Server))
            {
                await conn.OpenAsync();
                await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_database} WITH (FORCE)", conn);
                await cmd.ExecuteNonQueryAsync();
            }
            try { Directory.Delete(_dir, true); } catch (IOException) { }
        }
    }

    private static IEnumerable<string> SetCookies(HttpResponseMessage r) => r.Headers.TryGetValues("Set-Cookie", out var v) ? v : [];

    [Fact]
    public async Task Through_the_tls_proxy_cookies_are_secure_and_hsts_is_sent_and_directly_over_http_neither()
    {
        using var browser = f.From("127.0.0.5", f.Proxy.BaseUrl);
        var login = await browser.GetAsync("/Account/Login");
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        Assert.True(login.Headers.Contains("Strict-Transport-Security"), "no HSTS through TLS");
        var af = SetCookies(login).ToList();
        var post = new HttpRequestMessage(HttpMethod.Post, "/Account/Login")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["Username"] = "viewer", ["Password"] = Cluster.DemoPassword, ["__RequestVerificationToken"] = Clients.AntiForgeryToken(await login.Content.ReadAsStringAsync()),
            }),
        };
        post.Headers.Add("Cookie", string.Join("; ", af.Select(c => c.Split(';')[0])));
        var signedIn = await browser.SendAsync(post);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        var cookies = af.Concat(SetCookies(signedIn)).ToList();
        output.WriteLine(string.Join("\n", cookies));
        Assert.Contains(cookies, c => c.StartsWith("kaohe=", StringComparison.Ordinal));
        Assert.All(cookies, c => Assert.Contains("secure", c, StringComparison.OrdinalIgnoreCase));

        // Straight to the instance over plain http (a client, not the proxy): no Secure cookie, no HSTS.
        using var direct = f.From("127.0.0.5", f.App.BaseUrl);
        var plain = await direct.GetAsync("/Account/Login");
        Assert.False(plain.Headers.Contains("Strict-Transport-Security"));
        Assert.All(SetCookies(plain), c => Assert.DoesNotContain("secure", c, StringComparison.OrdinalIgnoreCase));
        // And a forged X-Forwarded-Proto from it changes nothing.
        var forged = new HttpRequestMessage(HttpMethod.Get, "/Account/Login");
        forged.Headers.Add("X-Forwarded-Proto", "https");
        var answer = await direct.SendAsync(forged);
        Assert.False(answer.Headers.Contains("Strict-Transport-Security"));
    }

    [Fact]
    public async Task Each_client_behind_the_proxy_has_its_own_limit_and_a_spoofed_forwarded_for_is_not_believed()
    {
        // Kaohe:SurveyPerMinute = 3: the fourth request of one client in a minute is a 429.
        async Task<List<int>> Burst(HttpClient c, int n, Func<int, string?> forwardedFor)
        {
            var statuses = new List<int>();
            for (var i = 0; i < n; i++)
            {
                var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/survey/no-such-code");
                if (forwardedFor(i) is { } spoof) request.Headers.Add("X-Forwarded-For", spoof);
                statuses.Add((int)(await c.SendAsync(request)).StatusCode);
            }
            return statuses;
        }
        using var first = f.From("127.0.0.10", f.Proxy.BaseUrl);
        using var second = f.From("127.0.0.11", f.Proxy.BaseUrl);
        using var spoofer = f.From("127.0.0.12", f.Proxy.BaseUrl);
        using var direct = f.From("127.0.0.13", f.App.BaseUrl);
        var a = await Burst(first, 4, _ => null);
        var b = await Burst(second, 3, _ => null);
        // A new made-up address each time: nginx appends the real one, and only that one is believed.
        var s = await Burst(spoofer, 4, i => $"10.0.0.{i + 1}");
        // Not through the proxy: its X-Forwarded-For is not believed at all.
        var d = await Burst(direct, 4, i => $"10.1.0.{i + 1}");
        output.WriteLine($"first {string.Join(",", a)}; second {string.Join(",", b)}; spoofer {string.Join(",", s)}; direct {string.Join(",", d)}");
        static bool[] Limited(List<int> statuses) => [.. statuses.Select(x => x == 429)];
        Assert.Equal([false, false, false, true], Limited(a));
        // Before issue 17 every client behind nginx was nginx's address: the second client was refused at once.
        Assert.Equal([false, false, false], Limited(b));
        Assert.Equal([false, false, false, true], Limited(s));
        Assert.Equal([false, false, false, true], Limited(d));

        // What the instance records as the client address (a failed sign-in) is the real one in both cases.
        var viaProxy = new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/token") { Content = JsonContent.Create(new { username = "assessor1", password = "wrong" }) };
        viaProxy.Headers.Add("X-Forwarded-For", "6.6.6.6");
        using var c14 = f.From("127.0.0.14", f.Proxy.BaseUrl);
        Assert.Equal(HttpStatusCode.Unauthorized, (await c14.SendAsync(viaProxy)).StatusCode);
        var straight = new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/token") { Content = JsonContent.Create(new { username = "assessor2", password = "wrong" }) };
        straight.Headers.Add("X-Forwarded-For", "7.7.7.7");
        using var c15 = f.From("127.0.0.15", f.App.BaseUrl);
        Assert.Equal(HttpStatusCode.Unauthorized, (await c15.SendAsync(straight)).StatusCode);
        await using var db = f.Db();
        var recorded = await db.Set<SignInFailure>().AsNoTracking().Where(x => x.UserName == "ASSESSOR1" || x.UserName == "ASSESSOR2")
            .ToDictionaryAsync(x => x.UserName, x => x.Address);
        Assert.Equal("127.0.0.14", recorded["ASSESSOR1"]);
        Assert.Equal("127.0.0.15", recorded["ASSESSOR2"]);
    }
}
