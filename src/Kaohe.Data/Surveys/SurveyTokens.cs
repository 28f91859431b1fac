using System.Security.Cryptography;
using System.Text;

namespace Kaohe.Data;

/// <summary>
/// Single-use tokens for the QR codes of the public survey. Only the token's SHA-256 is stored, so a
/// leaked database does not hand out unused tokens; respondents are never linked to an address:
/// <see cref="ClientKey"/> keeps only a keyed hash of the client address, for rate limits.
/// </summary>
public static class SurveyTokens
{
    /// <summary>128 random bits in base32 (no padding, no ambiguous case): 26 characters that survive being typed from paper.</summary>
    public static string New() => Base32(RandomNumberGenerator.GetBytes(17));

    /// <summary>
    /// The code of serial number <paramref name="serial"/> of a batch: HMAC-SHA256(batch secret, serial),
    /// 130 bits in the same 26-character form. Deterministic, so a batch can be reprinted from its secret.
    /// </summary>
    public static string Derive(byte[] batchSecret, int serial) =>
        Base32(HMACSHA256.HashData(batchSecret, Encoding.UTF8.GetBytes("kaohe-survey-code:" + serial.ToString(System.Globalization.CultureInfo.InvariantCulture)))[..17]);

    private static string Base32(ReadOnlySpan<byte> bytes)
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyz234567";
        var sb = new StringBuilder(26);
        int buffer = 0, bits = 0;
        foreach (var b in bytes)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5 && sb.Length < 26)
            {
                sb.Append(alphabet[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        return sb.ToString();
    }

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token.Trim().ToLowerInvariant())));

    /// <summary>A keyed hash of the client's address: enough to limit rates, useless to identify anyone.</summary>
    public static string ClientKey(string? address, byte[] key) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(address ?? "")))[..32];
}
