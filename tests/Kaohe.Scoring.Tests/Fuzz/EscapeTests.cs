using Kaohe.Scoring.FileFormat;

namespace Kaohe.Scoring.Tests.Fuzz;

/// <summary>
/// An escaped lone surrogate is valid JSON that no .NET string can hold (reading it threw
/// InvalidOperationException, found by the byte-mutation fuzz test): every reader refuses it with an
/// error at <c>$</c>, and accepts escaped pairs and an escaped backslash before "u".
/// </summary>
public class EscapeTests
{
    private const string Valid = """{"kaohe":1,"period":"P","units":[{"id":"a","name":"NAME"}],"indicators":[{"id":"x","name":"x","points":10,"method":{"kind":"direct"}}],"values":[{"unit":"a","indicator":"x","value":5}]}""";

    [Theory]
    [InlineData(@"\uD800")]
    [InlineData(@"\uDC00")]
    [InlineData(@"\uD800x")]
    [InlineData(@"\uD800\n")]
    [InlineData(@"\uD800\u0041")]
    [InlineData(@"\uDE00\uD83D")]
    [InlineData(@"ok\uD83D")]
    public void A_lone_surrogate_escape_is_an_error_at_the_root_not_an_exception(string name)
    {
        var read = KaoheFile.Read(Valid.Replace("NAME", name));
        var e = Assert.Single(read.Errors);
        Assert.Equal("$", e.Path);
        Assert.Contains("surrogate", e.En);
        Assert.False(SnapshotFile.Verify("{\"kaoheSnapshot\":1,\"id\":\"" + name + "\",\"input\":{},\"result\":{}}").Ok);
        Assert.False(KaoheFile.ReadScheme(Valid.Replace("NAME", name)).IsValid);
    }

    [Theory]
    [InlineData(@"\uD83D\uDE00", "\uD83D\uDE00")]
    [InlineData(@"\\uD800", @"\uD800")]
    [InlineData(@"\u62C9\u8428", "拉萨")]
    [InlineData(@"a\\\uD83D\uDE00b", "a\\\uD83D\uDE00b")]
    public void Escaped_pairs_and_escaped_backslashes_are_read(string name, string expected)
    {
        var read = KaoheFile.Read(Valid.Replace("NAME", name));
        Assert.True(read.IsValid, string.Join("\n", read.Errors));
        Assert.Equal(expected, read.Assessment!.Units[0].Name);
    }
}
