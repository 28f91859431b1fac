using System.Globalization;
using Kaohe.Data;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Kaohe.Web.Features.Rectification;

/// <summary>SMTP settings (<c>Kaohe:Smtp:Host/Port/From/User/Password/EnableSsl</c>); without a host, reminders are in-app only.</summary>
public sealed class SmtpOptions
{
    public string? Host { get; set; }
    public int Port { get; set; } = 25;
    public string From { get; set; } = "kaohe@localhost";
    public string? User { get; set; }
    public string? Password { get; set; }
    public bool EnableSsl { get; set; }

    public bool Configured => !string.IsNullOrWhiteSpace(Host);
}

public sealed record ReminderRun(bool Ran, int Created, int Emailed);

/// <summary>
/// The reminder job (整改提醒): before the deadline it reminds the unit's responsible person; after it,
/// it escalates to the unit's head and the office. Each (item, reminder key, recipient) is stored once
/// in <see cref="Notification"/>. On PostgreSQL the run holds <c>pg_try_advisory_xact_lock</c>, so when
/// several instances share the database only one works at a time; the unique index on
/// (Key, Recipient) is the last line. Emails are claimed row by row before they are sent, so none goes
/// out twice.
/// </summary>
public sealed class ReminderJob(IServiceScopeFactory scopes, TimeProvider clock, IOptions<LedgerOptions> options, IOptions<SmtpOptions> smtp,
    Infrastructure.OfficeTime office, ILogger<ReminderJob> log) : BackgroundService
{
    private const long LockKey = 0x4B616F6852656D; // "KaohRem"
    private static readonly SemaphoreSlim ProcessLock = new(1, 1);

    /// <summary>How many emails were attempted in this process (tests check that nothing is attempted when SMTP is off).</summary>
    public int EmailAttempts { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var seconds = options.Value.ReminderIntervalSeconds;
        if (seconds <= 0) return;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(seconds), clock);
        // The first run waits one interval, so that start-up (migrations, the demo) is never raced.
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try { await RunOnceAsync(stoppingToken); }
            // Any failure (the database restarting ends in EF's RetryLimitExceededException, which is none of the
            // database exceptions): an exception leaving ExecuteAsync would stop the whole application.
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                log.LogWarning(ex, "The reminder run failed; it will be retried");
            }
        }
    }

    public async Task<ReminderRun> RunOnceAsync(CancellationToken ct = default)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<KaoheDbContext>();
        int created;
        if (db.IsPostgres)
        {
            created = -1;
            var strategy = db.Database.CreateExecutionStrategy();
            await strategy.ExecuteAsync(async () =>
            {
                await using var tx = await db.Database.BeginTransactionAsync(ct);
                var got = await db.Database.SqlQueryRaw<bool>($"SELECT pg_try_advisory_xact_lock({LockKey}) AS \"Value\"").SingleAsync(ct);
                if (!got) { await tx.RollbackAsync(ct); return; }
                created = await CreateDueAsync(db, ct);
                await tx.CommitAsync(ct);
            });
            if (created < 0) return new ReminderRun(false, 0, 0);
        }
        else
        {
            if (!await ProcessLock.WaitAsync(0, ct)) return new ReminderRun(false, 0, 0);
            try { created = await CreateDueAsync(db, ct); }
            finally { ProcessLock.Release(); }
        }
        var emailed = await SendEmailsAsync(db, ct);
        if (created > 0) Infrastructure.KaoheMetrics.RemindersSent.Add(created, new KeyValuePair<string, object?>("channel", "inbox"));
        if (emailed > 0) Infrastructure.KaoheMetrics.RemindersSent.Add(emailed, new KeyValuePair<string, object?>("channel", "email"));
        return new ReminderRun(true, created, emailed);
    }

    private async Task<int> CreateDueAsync(KaoheDbContext db, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var settings = options.Value.RemindersIn(office.Zone);
        var open = await db.Set<RectificationItem>().AsNoTracking()
            .Where(i => i.Status != ItemStatus.Closed && i.Status != ItemStatus.Merged)
            .Select(i => new { i.Id, i.UnitId, i.Problem, i.ResponsiblePerson, i.Deadline }).ToListAsync(ct);
        var units = await db.Units.AsNoTracking().ToDictionaryAsync(u => u.Id, u => u.Name, ct);
        var wanted = new List<Notification>();
        foreach (var i in open)
            foreach (var r in Deadlines.Due(i.Id, i.Deadline, now, false, settings))
            {
                var unit = units.GetValueOrDefault(i.UnitId, i.UnitId);
                var key = "rem:" + r.Key;
                var problem = i.Problem.Length > 80 ? i.Problem[..80] + "…" : i.Problem;
                var deadline = i.Deadline.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
                if (r.Kind == ReminderKind.BeforeDeadline)
                {
                    wanted.Add(new Notification($"unit:{i.UnitId}", i.Id, key, $"整改事项 #{i.Id} 将于 {deadline} 到期",
                        $"{i.ResponsiblePerson}：{unit}的整改事项“{problem}”距整改时限还有{r.OffsetDays}天，请按路线图推进并报送进展。", now));
                }
                else
                {
                    wanted.Add(new Notification($"head:{i.UnitId}", i.Id, key, $"整改事项 #{i.Id} 已逾期{r.OffsetDays}天",
                        $"{unit}主要负责人：整改事项“{problem}”（责任人 {i.ResponsiblePerson}）已超过整改时限 {deadline}，请督促整改到位。", now));
                    wanted.Add(new Notification("office", i.Id, key, $"{unit}整改事项 #{i.Id} 已逾期{r.OffsetDays}天",
                        $"整改事项“{problem}”（责任人 {i.ResponsiblePerson}）已超过整改时限 {deadline}，请督促指导。", now));
                }
            }
        if (wanted.Count == 0) return 0;
        var keys = wanted.Select(w => w.Key).Distinct().ToList();
        var have = (await db.Set<Notification>().AsNoTracking().Where(n => keys.Contains(n.Key)).Select(n => new { n.Key, n.Recipient }).ToListAsync(ct))
            .Select(x => (x.Key, x.Recipient)).ToHashSet();
        var fresh = wanted.Where(w => !have.Contains((w.Key, w.Recipient))).ToList();
        db.Set<Notification>().AddRange(fresh);
        await db.SaveChangesAsync(ct);
        if (fresh.Count > 0) log.LogInformation("Created {Count} rectification reminders", fresh.Count);
        return fresh.Count;
    }

    /// <summary>
    /// Claims each unsent notification with a conditional update (one instance wins), then emails it. MailKit
    /// sends the run's messages over one connection (System.Net.Mail's SmtpClient opened one per message and
    /// is not recommended for new code); a message that fails is recorded on its notification and the
    /// connection is opened again for the next one.
    /// </summary>
    private async Task<int> SendEmailsAsync(KaoheDbContext db, CancellationToken ct)
    {
        var cfg = smtp.Value;
        if (!cfg.Configured) return 0;
        var now = clock.GetUtcNow();
        var pending = await db.Set<Notification>().AsNoTracking().Where(n => n.EmailClaimedAt == null).OrderBy(n => n.Id).Take(200).ToListAsync(ct);
        var sent = 0;
        using var client = new SmtpClient();
        try
        {
            foreach (var n in pending)
            {
                var claimed = await db.Set<Notification>().Where(x => x.Id == n.Id && x.EmailClaimedAt == null)
                    .ExecuteUpdateAsync(s => s.SetProperty(x => x.EmailClaimedAt, now), ct);
                if (claimed != 1) continue;
                var to = await AddressesAsync(db, n.Recipient, ct);
                string result;
                if (to.Count == 0) result = "no address";
                else
                {
                    try
                    {
                        EmailAttempts++;
                        await ConnectAsync(client, cfg, ct);
                        await client.SendAsync(Message(cfg, n, to), ct);
                        result = "sent to " + string.Join(",", to);
                        sent++;
                    }
                    catch (Exception ex) when (ex is SmtpCommandException or SmtpProtocolException or ServiceNotConnectedException
                        or AuthenticationException or SslHandshakeException or ParseException or System.Net.Sockets.SocketException or IOException)
                    {
                        result = "failed: " + ex.Message;
                        log.LogWarning(ex, "Could not email notification {Id}", n.Id);
                        // A protocol or network failure can leave the connection unusable: start the next message afresh.
                        if (client.IsConnected) await client.DisconnectAsync(false, CancellationToken.None);
                    }
                }
                var r = result.Length > 300 ? result[..300] : result;
                await db.Set<Notification>().Where(x => x.Id == n.Id).ExecuteUpdateAsync(s => s.SetProperty(x => x.EmailResult, r), ct);
            }
        }
        finally
        {
            if (client.IsConnected) await client.DisconnectAsync(true, CancellationToken.None);
        }
        return sent;
    }

    private static async Task ConnectAsync(SmtpClient client, SmtpOptions cfg, CancellationToken ct)
    {
        if (client.IsConnected) return;
        // EnableSsl keeps the meaning it had: TLS on connect for port 465, STARTTLS otherwise; off means plain SMTP
        // (an intranet relay), never an opportunistic upgrade that a relay's self-signed certificate would break.
        var security = !cfg.EnableSsl ? SecureSocketOptions.None : cfg.Port == 465 ? SecureSocketOptions.SslOnConnect : SecureSocketOptions.StartTls;
        await client.ConnectAsync(cfg.Host!, cfg.Port, security, ct);
        if (!string.IsNullOrEmpty(cfg.User)) await client.AuthenticateAsync(cfg.User, cfg.Password ?? "", ct);
    }

    private static MimeMessage Message(SmtpOptions cfg, Notification n, IEnumerable<string> to)
    {
        var message = new MimeMessage { Subject = n.Title, Body = new TextPart("plain") { Text = n.Body } };
        message.From.Add(MailboxAddress.Parse(cfg.From));
        foreach (var a in to) message.To.Add(MailboxAddress.Parse(a));
        return message;
    }

    private static async Task<List<string>> AddressesAsync(KaoheDbContext db, string recipient, CancellationToken ct)
    {
        IQueryable<AppUser> users = db.Users;
        if (recipient == "office") users = users.Where(u => u.Role == Roles.Office);
        else
        {
            var unit = recipient[(recipient.IndexOf(':') + 1)..];
            users = users.Where(u => u.UnitId == unit && u.Role == Roles.Unit);
        }
        return await users.Where(u => u.Email != null && u.Email != "").Select(u => u.Email!).ToListAsync(ct);
    }
}
