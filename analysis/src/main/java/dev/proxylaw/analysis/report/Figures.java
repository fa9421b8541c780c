package dev.proxylaw.analysis.report;

import java.util.ArrayList;
import java.util.List;

/** The figures drawn so far and the ones skipped, in the order the page shows them. */
public final class Figures {
    private final List<Figure> drawn = new ArrayList<>();
    private final List<Figure.Skipped> skipped = new ArrayList<>();

    public void add(Figure f) {
        drawn.add(f);
    }

    public void skip(String id, String section, String title, String reason) {
        skipped.add(new Figure.Skipped(id, section, title, reason));
    }

    public List<Figure> drawn() {
        return List.copyOf(drawn);
    }

    public List<Figure.Skipped> skipped() {
        return List.copyOf(skipped);
    }

    /** Every figure the report knows, drawn where the data allow it, in page order. */
    public static Figures of(ReportModel m) {
        Figures f = new Figures();
        LrCurvesFigure.draw(m, f);
        LandscapeFigure.draw(m, f);
        StepLawFigure.draw(m, f);
        PowerFigure.draw(m, f);
        SensitivityFigure.draw(m, f);
        CoordinateCheckFigure.draw(m, f);
        TrainingCurvesFigure.draw(m, f);
        HealthFigure.draw(m, f);
        return f;
    }
}
