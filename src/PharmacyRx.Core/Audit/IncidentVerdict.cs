namespace PharmacyRx.Core.Audit;

/// <summary>What a person decided about a flagged auditable event (1311.215(c)); stored as text, so names never change.</summary>
public enum IncidentVerdict
{
    /// <summary>Not a security incident: it did not and could not have compromised the prescription records.</summary>
    NotIncident,

    /// <summary>A security incident that compromised, or could have compromised, the records: reported within one business day.</summary>
    Incident,

    /// <summary>The incident's report was sent (to whom and when are kept with it).</summary>
    Reported,
}
