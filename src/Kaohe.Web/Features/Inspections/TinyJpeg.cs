using System.Text;

namespace Kaohe.Web.Features.Inspections;

/// <summary>
/// A valid baseline JPEG of a flat grey, written byte by byte: the demo's and the tests' stand-in for
/// a photo, so that no binary file is kept in the repository. Every 8×8 block has only a zero DC
/// difference and an end-of-block, each coded with a one-bit Huffman code; a comment segment makes
/// each picture's bytes (and so its SHA-256) distinct.
/// </summary>
public static class TinyJpeg
{
    public static byte[] Create(int width, int height, string comment)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        var o = new List<byte> { 0xFF, 0xD8 };
        var text = Encoding.ASCII.GetBytes(comment.Length > 200 ? comment[..200] : comment);
        o.AddRange([0xFF, 0xFE, (byte)((text.Length + 2) >> 8), (byte)(text.Length + 2)]);
        o.AddRange(text);
        o.AddRange([0xFF, 0xDB, 0x00, 0x43, 0x00]);
        o.AddRange(Enumerable.Repeat((byte)1, 64));
        o.AddRange([0xFF, 0xC0, 0x00, 0x0B, 0x08, (byte)(height >> 8), (byte)height, (byte)(width >> 8), (byte)width, 0x01, 0x01, 0x11, 0x00]);
        foreach (var tableClass in new byte[] { 0x00, 0x10 })
        {
            o.AddRange([0xFF, 0xC4, 0x00, 0x14, tableClass, 0x01]);
            o.AddRange(Enumerable.Repeat((byte)0, 15));
            o.Add(0x00);
        }
        o.AddRange([0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00]);
        var blocks = ((width + 7) / 8) * ((height + 7) / 8);
        var bits = blocks * 2;
        var bytes = (bits + 7) / 8;
        for (var i = 0; i < bytes; i++)
        {
            var used = Math.Min(8, bits - i * 8);
            o.Add((byte)((1 << (8 - used)) - 1)); // zero bits for the codes, padded with ones
        }
        o.AddRange([0xFF, 0xD9]);
        return [.. o];
    }
}
