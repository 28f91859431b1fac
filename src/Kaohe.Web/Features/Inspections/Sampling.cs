using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Kaohe.Web.Features.Inspections;

/// <summary>A county or district that may be drawn, in its stratum (the prefecture).</summary>
public sealed record SamplingCandidate(string Id, string Name, string Stratum);

/// <summary>What was drawn, with everything needed to draw it again.</summary>
public sealed record SampleDraw(string Algorithm, string Seed, IReadOnlyDictionary<string, int> PerStratum, IReadOnlyList<SamplingCandidate> Drawn);

/// <summary>
/// 抽样: draws sampled counties at random, stratified by prefecture, from a recorded seed, so that
/// anyone can re-draw and get the same sample. The algorithm is written out so that it can be
/// re-implemented outside Kaohe (see docs/sampling.md):
/// <list type="number">
/// <item>candidates of a stratum are sorted by id (ordinal);</item>
/// <item>random numbers are the first 8 bytes (big-endian) of SHA-256("{seed}|{stratum}|{counter}"), counter = 0, 1, 2, ...;</item>
/// <item>a partial Fisher–Yates shuffle picks k: for i = 0..k-1, j = i + (r mod (n − i)), with rejection of
///   r ≥ 2^64 − (2^64 mod (n − i)) to avoid modulo bias; swap i and j;</item>
/// <item>the first k candidates are the sample of the stratum; strata are processed in ordinal order of their names.</item>
/// </list>
/// </summary>
public static class Sampling
{
    public const string Algorithm = "kaohe-stratified-sha256-fisher-yates-v1";

    /// <summary>The seed's default: 14 counties, two from each of the seven prefectures.</summary>
    public const int DefaultPerStratum = 2;

    public static SampleDraw Draw(IReadOnlyList<SamplingCandidate> candidates, IReadOnlyDictionary<string, int> perStratum, string seed)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(seed);
        var drawn = new List<SamplingCandidate>();
        foreach (var stratum in candidates.Select(c => c.Stratum).Distinct().Order(StringComparer.Ordinal))
        {
            var pool = candidates.Where(c => c.Stratum == stratum).OrderBy(c => c.Id, StringComparer.Ordinal).ToArray();
            var k = Math.Min(perStratum.GetValueOrDefault(stratum), pool.Length);
            var counter = 0L;
            for (var i = 0; i < k; i++)
            {
                var span = (ulong)(pool.Length - i);
                var limit = ulong.MaxValue - (ulong.MaxValue % span + 1) % span;
                ulong r;
                do r = Next(seed, stratum, counter++); while (r > limit);
                var j = i + (int)(r % span);
                (pool[i], pool[j]) = (pool[j], pool[i]);
            }
            drawn.AddRange(pool.Take(k));
        }
        return new SampleDraw(Algorithm, seed, perStratum, drawn);
    }

    /// <summary>Two per prefecture, as in the seed (14 counties over 7 prefectures).</summary>
    public static IReadOnlyDictionary<string, int> Uniform(IEnumerable<SamplingCandidate> candidates, int perStratum = DefaultPerStratum) =>
        candidates.Select(c => c.Stratum).Distinct().ToDictionary(s => s, _ => perStratum, StringComparer.Ordinal);

    /// <summary>A fresh seed for a new draw: 128 random bits, hex. It is recorded with the draw.</summary>
    public static string NewSeed() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    private static ulong Next(string seed, string stratum, long counter)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes($"{seed}|{stratum}|{counter}"), hash);
        return BinaryPrimitives.ReadUInt64BigEndian(hash);
    }
}
