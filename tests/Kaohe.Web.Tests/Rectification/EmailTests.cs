using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Kaohe.Data;
using Kaohe.Web.Features.Rectification;
using Kaohe.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Kaohe.Web.Tests.Rectification;

/// <summary>A tiny SMTP server on a real TCP socket: enough of the protocol for MailKit, recording each message's recipients and data.</summary>
public sealed class TinySmtp : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    public ConcurrentQueue<(string[] To, string Data)> Messages { get; } = new();
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public TinySmtp()
    {
        _listener.Start();
        _ = Task.Run(AcceptLoop);
    }

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (OperationCanceledException) { return; }
            catch (ObjectDisposedException) { return; }
            _ = Task.Run(() => Serve(client));
        }
    }

    private async Task Serve(TcpClient client)
    {
        using var _ = client;
        using var stream = client.GetStream();
        using var reader = new StreamReader(stream, Encoding.ASCII);
        await using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
        await writer.WriteLineAsync("220 tiny ESMTP");
        var to = new List<string>();
        while (await reader.ReadLineAsync() is { } line)
        {
            var cmd = line.Length >= 4 ? line[..4].ToUpperInvariant() : line.ToUpperInvariant();
            switch (cmd)
            {
                case "EHLO" or "HELO": await writer.WriteLineAsync("250 tiny"); break;
                case "MAIL": to.Clear(); await writer.WriteLineAsync("250 OK"); break;
                case "RCPT": to.Add(line[(line.IndexOf('<') + 1)..line.IndexOf('>')]); await writer.WriteLineAsync("250 OK"); break;
                case "DATA":
                    await writer.WriteLineAsync("354 go on");
                    var data = new StringBuilder();
                    while (await reader.ReadLineAsync() is { } d && d != ".") data.AppendLine(d);
                    Messages.Enqueue(([.. to], data.ToString()));
                    await writer.WriteLineAsync("250 queued");
                    break;
                case "QUIT": await writer.WriteLineAsync("221 bye"); return;
                default: await writer.WriteLineAsync("250 OK"); break;
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
    }
}

public interface ISmtpApp : IClockedApp
{
    TinySmtp Smtp { get; }
}

public abstract class EmailTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : AppFixture, ISmtpApp
{
    [Fact]
    public async Task With_SMTP_configured_each_reminder_is_emailed_once_to_the_units_accounts()
    {
        const string address = "gesang@lasa.example";
        // The demo's own reminders (its overdue items) go out first, while no account has an address.
        var job = app.Factory.Services.GetRequiredService<ReminderJob>();
        await job.RunOnceAsync();
        Assert.Empty(app.Smtp.Messages);
        await app.WithDb(async db =>
        {
            var user = await db.Users.SingleAsync(u => u.UserName == "unit-zj-lasa");
            user.Email = address;
            return await db.SaveChangesAsync();
        });
        var today = app.Factory.Services.GetRequiredService<Kaohe.Web.Infrastructure.OfficeTime>().Date(app.Clock.GetUtcNow());
        long id;
        using (var scope = app.Factory.Services.CreateScope())
        {
            var (item, error) = await scope.ServiceProvider.GetRequiredService<Ledger>().CreateAsync(
                new Ledger.NewItem("zj-lasa", "2023-Q1", "质量安全监督抽查覆盖不足", Severities.General, "副局长 格桑", today.AddDays(5)));
            Assert.Null(error);
            id = item!.Id;
        }
        await job.RunOnceAsync();
        await job.RunOnceAsync();

        var mine = app.Smtp.Messages.Where(m => m.To.Contains(address)).ToList();
        var message = Assert.Single(mine);
        var n = await app.WithDb(db => db.Set<Notification>().AsNoTracking().SingleAsync(x => x.ItemId == id));
        // The Chinese subject and body survive the trip: read the message as a mail client would.
        var mail = MimeKit.MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(message.Data)));
        Assert.Equal(n.Title, mail.Subject);
        Assert.Contains("质量安全监督抽查覆盖不足", mail.TextBody);
        Assert.Equal(address, Assert.Single(mail.To.Mailboxes).Address);
        Assert.NotNull(n.EmailClaimedAt);
        Assert.StartsWith("sent to " + address, n.EmailResult);
    }
}

public sealed class EmailTestsOnSqlite(EmailTestsOnSqlite.Fixture app) : EmailTests<EmailTestsOnSqlite.Fixture>(app)
{
    public sealed class Fixture : SqliteApp, ISmtpApp
    {
        public FakeTimeProvider Clock { get; } = Clocked.NewClock();
        public TinySmtp Smtp { get; } = new();
        protected override void Configure(IWebHostBuilder builder)
        {
            Clocked.Configure(builder, Clock);
            builder.UseSetting("Kaohe:Smtp:Host", "127.0.0.1");
            builder.UseSetting("Kaohe:Smtp:Port", Smtp.Port.ToString());
        }
        public override async Task DisposeAsync() { await base.DisposeAsync(); Smtp.Dispose(); }
    }
}

public sealed class EmailTestsOnPostgres(EmailTestsOnPostgres.Fixture app) : EmailTests<EmailTestsOnPostgres.Fixture>(app)
{
    public sealed class Fixture : PostgresApp, ISmtpApp
    {
        public FakeTimeProvider Clock { get; } = Clocked.NewClock();
        public TinySmtp Smtp { get; } = new();
        protected override void Configure(IWebHostBuilder builder)
        {
            Clocked.Configure(builder, Clock);
            builder.UseSetting("Kaohe:Smtp:Host", "127.0.0.1");
            builder.UseSetting("Kaohe:Smtp:Port", Smtp.Port.ToString());
        }
        public override async Task DisposeAsync() { await base.DisposeAsync(); Smtp.Dispose(); }
    }
}
