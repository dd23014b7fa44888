using PharmacyRx.Storage.Export;

namespace PharmacyRx.Storage.Tests.Export;

public class ExportQueryTests
{
    [Test]
    public void The_export_statement_reads_each_named_column_once_in_the_order_it_is_addressed()
    {
        // ExportQuery addresses the statement's columns by an enum whose order writes the SELECT list; a member without its
        // SQL would stop the type loading here rather than shift every ordinal after it.
        var columns = ExportQuery.SelectList.Split(", ");

        Assert.That(columns, Is.Unique);
        Assert.That(columns[0], Is.EqualTo("p.prescription_number"));
        Assert.That(columns, Has.Length.EqualTo(12));
    }
}
