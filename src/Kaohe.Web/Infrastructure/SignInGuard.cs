using System.Net;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Kaohe.Data;
using Kaohe.Web.Features.Audit;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Kaohe.Web.Infrastructure;

/// <summary>What a sign-in attempt came to.</summary>
public enum SignInVerdict { Ok, Failed, Locked, TooMany }

public sealed record SignInOutcome(SignInVerdict Verdict, AppUser? User = null, DateTimeOffset? LockedUntil = null);

/// <summary>Sign-in settings (<c>Kaohe:SignIn</c>): how many failures lock a (name, address) pair and for how long, and session lifetimes.</summary>
public sealed class SignInOptions
{
    public int MaxFailures { get; set; } = 5;
    public int LockMinutes { get; set; } = 15;

    /// <summary>Attempts per minute for one user name from all addresses together (Kaohe:SignIn:AttemptsPerAccountPerMinute; the per-address limit is Kaohe:LoginAttemptsPerMinute).</summary>
    public int AttemptsPerAccountPerMinute { get; set; } = 30;

    /// <summary>How long a bearer token of POST /api/v1/auth/token lives (Kaohe:SignIn:TokenHours).</summary>
    public double TokenHours { get; set; } = 8;

    /// <summary>How long a browser sign-in lives at most (Kaohe:SignIn:SessionHours).</summary>
    public double SessionHours { get; set; } = 12;
}

/// <summary>
/// Every sign-in (the form and POST /api/v1/auth/token) and every session, in one place (issue 17):
/// - equal work for every name: an unknown one still costs a password-hash verification, so the time
///   of the answer does not tell which accounts exist (unknown names answered in 2–11 ms, wrong
///   passwords of known ones in 82–150 ms);
/// - failures lock the (name, client address) pair, never the account: five guesses from one place
///   cannot lock the office out everywhere; an unknown name is locked the same way, so a lock tells
///   nothing either; the office gets a notification and an audit entry;
/// - a limit per name across all addresses (in memory, per instance) on top of the per-address limit;
/// - sessions are rows (<see cref="AccessToken"/>): a cookie or token works while its row exists, so
///   signing out, revoking a token or the office ending an account's sessions take effect at once.
/// </summary>
public sealed class SignInGuard(KaoheDbContext db, UserManager<AppUser> users, IPasswordHasher<AppUser> hasher, AuditLog audit,
    TimeProvider clock, OfficeTime office, Microsoft.Extensions.Options.IOptions<SignInOptions> options, SignInLimits limits, ILogger<SignInGuard> log)
{
    private SignInOptions Options => options.Value;

    public async Task<SignInOutcome> CheckAsync(string userName, string password, IPAddress? address, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        var typed = userName.Trim();
        if (typed.Length > 256) typed = typed[..256];   // no account name is longer; the failure row keeps 256
        var name = users.NormalizeName(typed) ?? "";
        var from = address?.ToString() ?? "unknown";
        using (var lease = limits.PerAccount.AttemptAcquire(name))
            if (!lease.IsAcquired) return new(SignInVerdict.TooMany);

        var pair = await db.Set<SignInFailure>().FirstOrDefaultAsync(f => f.UserName == name && f.Address == from, ct);
        if (pair is not null && pair.IsLocked(now)) return new(SignInVerdict.Locked, LockedUntil: pair.LockedUntil);

        var user = await users.FindByNameAsync(name);
        bool ok;
        if (user is null)
        {
            // The same work as for a real account: one verification of a hash made like the real ones.
            hasher.VerifyHashedPassword(new AppUser(), limits.Decoy(hasher), password);
            ok = false;
        }
        else
        {
            // The password is checked whatever the account's state, so that a disabled account costs the same.
            var passwordOk = await users.CheckPasswordAsync(user, password);
            ok = passwordOk && !(user.LockoutEnd > now);   // the office may still lock a whole account by hand
        }

        if (ok)
        {
            if (pair is not null) db.Remove(pair);
            await db.SaveChangesAsync(ct);
            return new(SignInVerdict.Ok, user);
        }
        if (pair is null) db.Add(pair = new SignInFailure(name, from, now));
        if (pair.Fail(now, Options.MaxFailures, TimeSpan.FromMinutes(Options.LockMinutes), TimeSpan.FromMinutes(Options.LockMinutes)))
        {
            // The office hears of it: someone at this address guessed this name's password MaxFailures times.
            var until = pair.LockedUntil!.Value;
            var key = $"signin-lock:{until.ToUnixTimeSeconds()}:{from}:{name}";
            db.Add(new Notification("office", null, key.Length <= 100 ? key : key[..100],
                $"登录连续失败：{Shown(typed)}（来自 {from}）",
                $"账号名“{Shown(typed)}”在 {Options.LockMinutes} 分钟内从地址 {from} 登录失败 {Options.MaxFailures} 次，该地址对此账号的登录已暂停至 {office.Format(until)}（{office.NameIn(false)}）。其他地址不受影响。如非本人操作，请核查。"
                + $" / {Options.MaxFailures} failed sign-ins for \"{Shown(typed)}\" from {from}; that address may not sign in to this account until {office.Format(until)} ({office.NameIn(true)}). Other addresses are not affected.",
                now));
            audit.Record("signin.lock", "user", name, null, new { address = from, until, known = user is not null }, "too many failed sign-ins from one address");
            await audit.SaveAsync(ct);
            log.LogWarning("Sign-in for {Name} from {Address} locked until {Until} after {Max} failures", name, from, until, Options.MaxFailures);
            return new(SignInVerdict.Locked, LockedUntil: until);
        }
        await db.SaveChangesAsync(ct);
        return new(SignInVerdict.Failed);
    }

    private static string Shown(string name) => name.Length <= 64 ? name : name[..64] + "…";

    /// <summary>Starts a session: its row, and the secret (a bearer token) whose hash the row keeps.</summary>
    public async Task<(string Secret, AccessToken Row)> StartAsync(AppUser user, string kind, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        var secret = Auth.NewSecret();
        var lifetime = TimeSpan.FromHours(kind == AccessToken.Cookie ? Options.SessionHours : Options.TokenHours);
        var row = new AccessToken(Auth.Hash(secret), user.Id, now + lifetime, kind, now);
        db.AccessTokens.Add(row);
        // The account's expired sessions go at the same time: the table holds live sessions only.
        await db.AccessTokens.Where(t => t.UserId == user.Id && t.ExpiresAt < now).ExecuteDeleteAsync(ct);
        await db.SaveChangesAsync(ct);
        return (secret, row);
    }

    /// <summary>Ends the session a request was made with (its hash is the principal's <see cref="Claims.Session"/> claim).</summary>
    public Task<int> EndAsync(ClaimsPrincipal user, CancellationToken ct = default) =>
        user.FindFirstValue(Claims.Session) is { } hash ? db.AccessTokens.Where(t => t.TokenHash == hash).ExecuteDeleteAsync(ct) : Task.FromResult(0);

    /// <summary>Ends every session (browser and bearer) of an account, and lifts the address locks of its name.</summary>
    public async Task<int> EndAllAsync(AppUser user, CancellationToken ct = default)
    {
        var ended = await db.AccessTokens.Where(t => t.UserId == user.Id).ExecuteDeleteAsync(ct);
        audit.Record("sessions.end", "user", user.UserName ?? user.Id, null, new { ended });
        await audit.SaveAsync(ct);
        return ended;
    }

    /// <summary>Lifts the address locks of a name (the office's 解锁).</summary>
    public Task<int> UnlockAsync(AppUser user, CancellationToken ct = default) =>
        db.Set<SignInFailure>().Where(f => f.UserName == user.NormalizedUserName).ExecuteDeleteAsync(ct);

    /// <summary>The (name, address) pairs locked now, for the office's account page.</summary>
    public Task<List<SignInFailure>> LocksAsync(CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        return db.Set<SignInFailure>().AsNoTracking().Where(f => f.LockedUntil > now).OrderBy(f => f.UserName).ToListAsync(ct);
    }
}

/// <summary>What sign-ins share within one instance: the limit per user name, and the decoy hash for unknown names.</summary>
public sealed class SignInLimits(Microsoft.Extensions.Options.IOptions<SignInOptions> options) : IDisposable
{
    private string? _decoy;

    public PartitionedRateLimiter<string> PerAccount { get; } = PartitionedRateLimiter.Create<string, string>(name =>
        RateLimitPartition.GetFixedWindowLimiter(name, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = Math.Max(1, options.Value.AttemptsPerAccountPerMinute), Window = TimeSpan.FromMinutes(1), QueueLimit = 0,
        }));

    /// <summary>A hash made like the real ones (same algorithm and work factor), once per process.</summary>
    public string Decoy(IPasswordHasher<AppUser> hasher) => LazyInitializer.EnsureInitialized(ref _decoy, () => hasher.HashPassword(new AppUser(), Auth.NewSecret()));

    public void Dispose() => PerAccount.Dispose();
}
