using System.Security.Cryptography;

namespace Kaohe.Data;

/// <summary>Passwords that Kaohe makes itself (the first administrator, demo and generated accounts, resets).</summary>
public static class Passwords
{
    /// <summary>A password for generated accounts: 16 characters from an alphabet without look-alikes.</summary>
    public static string New()
    {
        const string alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        Span<char> chars = stackalloc char[16];
        for (var i = 0; i < chars.Length; i++) chars[i] = alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)];
        // Identity requires a digit, a lower- and an upper-case letter: guarantee them.
        chars[3] = "23456789"[RandomNumberGenerator.GetInt32(8)];
        chars[7] = "abcdefghjkmnpqrstuvwxyz"[RandomNumberGenerator.GetInt32(23)];
        chars[11] = "ABCDEFGHJKLMNPQRSTUVWXYZ"[RandomNumberGenerator.GetInt32(24)];
        return new string(chars);
    }
}
