package dev.proxylaw.jobs.tokenize;

import dev.proxylaw.datasets.DataException;
import dev.proxylaw.datasets.tokenize.DocumentSink;
import dev.proxylaw.datasets.tokenize.Utf8;
import java.io.IOException;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

/**
 * Parquet: one document per row, the text in a top-level string column; only that column is read.
 * Rows whose value is null are skipped. Files are not split: a Parquet file is one task's input.
 */
final class ParquetDocuments {
    private ParquetDocuments() {
    }

    static void read(Configuration conf, String file, String field, DocumentSink sink) throws IOException {
        try (ParquetFileReader r = ParquetFileReader.open(HadoopInputFile.fromPath(new Path(file), conf))) {
            MessageType schema = r.getFooter().getFileMetaData().getSchema();
            MessageType projection = projection(schema, file, field);
            r.setRequestedSchema(projection);
            Utf8 utf8 = new Utf8();
            long row = 0;
            PageReadStore pages;
            while ((pages = r.readNextRowGroup()) != null) {
                RecordReader<Group> rows = new ColumnIOFactory().getColumnIO(projection)
                        .getRecordReader(pages, new GroupRecordConverter(projection));
                for (long i = 0; i < pages.getRowCount(); i++, row++) {
                    Group g = rows.read();
                    if (g.getFieldRepetitionCount(0) == 0) {
                        continue;
                    }
                    Binary b = g.getBinary(0, 0);
                    byte[] bytes = b.getBytes();
                    String text;
                    try {
                        text = utf8.decode(bytes, bytes.length, file, 0);
                    } catch (DataException e) {
                        throw new DataException("Cannot read " + file + ": column '" + field + "' of row " + row
                                + " is not UTF-8. Fix the producer, or convert the column to UTF-8 strings.");
                    }
                    sink.accept(text, bytes);
                }
            }
        } catch (RuntimeException e) {
            if (e instanceof DataException d) {
                throw d;
            }
            throw new DataException("Cannot read " + file + ": it is not a readable Parquet file (" + e.getMessage()
                    + "). Check the file, or pass the right --format.", e);
        }
    }

    /** The one column to read; a missing or non-string column is an error listing what the file has. */
    static MessageType projection(MessageType schema, String file, String field) {
        if (!schema.containsField(field)) {
            throw new DataException("Cannot read " + file + ": it has no column '" + field + "' (its columns: "
                    + schema.getFields().stream().map(Type::getName).collect(Collectors.joining(", ")) + "). Pass --field NAME.");
        }
        Type t = schema.getType(field);
        if (!t.isPrimitive() || t.asPrimitiveType().getPrimitiveTypeName() != PrimitiveType.PrimitiveTypeName.BINARY
                || t.isRepetition(Type.Repetition.REPEATED)) {
            throw new DataException("Cannot read " + file + ": column '" + field + "' is " + t.toString().strip()
                    + ", not a string. Pass --field NAME of a string column.");
        }
        return new MessageType(schema.getName(), t);
    }

    /** Reads only the footer: the driver checks the field before any task starts. */
    static void checkField(Configuration conf, String file, String field) throws IOException {
        try (ParquetFileReader r = ParquetFileReader.open(HadoopInputFile.fromPath(new Path(file), conf))) {
            projection(r.getFooter().getFileMetaData().getSchema(), file, field);
        } catch (RuntimeException e) {
            if (e instanceof DataException d) {
                throw d;
            }
            throw new DataException("Cannot read " + file + ": it is not a readable Parquet file (" + e.getMessage()
                    + "). Check the file, or pass the right --format.", e);
        }
    }
}
