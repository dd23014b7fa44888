using System.Text.Json.Serialization;

namespace PharmacyRx.Host.Compliance;

/// <summary>How a live check or a paragraph stands: written <c>pass</c>, <c>warn</c> or <c>fail</c> (worst last).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ComplianceStatus>))]
public enum ComplianceStatus
{
    /// <summary>Holds, with the values seen.</summary>
    [JsonStringEnumMemberName("pass")]
    Pass,

    /// <summary>Holds as far as the service can tell, but pharmacy IT has something to do (the action says what).</summary>
    [JsonStringEnumMemberName("warn")]
    Warn,

    /// <summary>Does not hold now: the reason says what was seen.</summary>
    [JsonStringEnumMemberName("fail")]
    Fail,
}
