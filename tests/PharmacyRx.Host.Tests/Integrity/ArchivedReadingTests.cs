using System.Text;
using PharmacyRx.Core.Receiving;
using PharmacyRx.Host.Integrity;
using PharmacyRx.Storage.Archive;
using PharmacyRx.Testing;

namespace PharmacyRx.Host.Tests.Integrity;

/// <summary>How <c>verify</c> re-reads a record: by the rule of the day it was received on.</summary>
public class ArchivedReadingTests
{
    private static readonly byte[] TwoLastNames = Encoding.UTF8.GetBytes(new SyntheticNewRx { PatientLastName = "First" }.ToXml()
        .Replace("<LastName>First</LastName>", "<LastName>First</LastName><LastName>Last</LastName>", StringComparison.Ordinal));

    [Test]
    public void A_record_archived_before_repeated_elements_were_refused_is_read_as_it_was_then()
    {
        var record = new ArchivedRecord { Status = "ReceiptSigned", ReasonCode = "", AsReceived = TwoLastNames };

        var read = new ScriptMessageReader().Reread(record);

        Assert.That(read.Message?.Elements.PatientLastName, Is.EqualTo("First"));
    }

    [Test]
    public void A_record_refused_for_a_repeated_element_is_read_as_refused()
    {
        var record = new ArchivedRecord { Status = "Rejected", ReasonCode = nameof(RejectionCode.DuplicateElement), AsReceived = TwoLastNames };

        var read = new ScriptMessageReader().Reread(record);

        Assert.That(read.Code, Is.EqualTo(RejectionCode.DuplicateElement));
        Assert.That(read.Reason, Does.Contain("Patient/*/Name/LastName"));
    }
}
