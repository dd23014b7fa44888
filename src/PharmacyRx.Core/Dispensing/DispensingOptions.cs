using System.ComponentModel.DataAnnotations;

namespace PharmacyRx.Core.Dispensing;

/// <summary>Dispensing settings (section <c>Dispensing</c>).</summary>
public sealed class DispensingOptions
{
    /// <summary>
    /// <c>Dispensing:MaxBackdateDays</c>: how many days before today a dispensing may be dated without a reason for the
    /// late entry; default 7. Never before the prescription was received or written, reason or not.
    /// </summary>
    [Range(0, 366)]
    public int MaxBackdateDays { get; set; } = 7;
}
