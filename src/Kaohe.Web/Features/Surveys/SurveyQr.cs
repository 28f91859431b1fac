using QRCoder;

namespace Kaohe.Web.Features.Surveys;

/// <summary>The QR codes printed on survey sheets (the tokens themselves are <see cref="Kaohe.Data.SurveyTokens"/>).</summary>
public static class SurveyQr
{
    /// <summary>An SVG QR code for a survey URL, for printed sheets (error correction M survives a crease).</summary>
    public static string Svg(string url)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(url, QRCodeGenerator.ECCLevel.M);
        return new SvgQRCode(data).GetGraphic(4);
    }
}
