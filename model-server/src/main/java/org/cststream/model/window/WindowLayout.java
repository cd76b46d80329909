package org.cststream.model.window;

import org.cststream.frame.PatchTokens;

/**
 * The shape of a window of frames: the patch grid, the patch size, the nominal frame period and the
 * number of grid times the window spans. Coordinates given to the model are {@code t = (time -
 * start) / ((frames - 1) * period)} (0 at the window's first grid time, 1 at its last), and the
 * patch centre {@code ((r + 0.5) / gridRows, (c + 0.5) / gridCols)}.
 *
 * @param gridRows patch rows per frame, 1 or more
 * @param gridCols patch columns per frame, 1 or more
 * @param patchSize patch side in pixels, 1 or more
 * @param periodSeconds nominal time between frames of the channel, seconds, above 0
 * @param frames grid times per window T, 2 or more
 */
public record WindowLayout(
        int gridRows, int gridCols, int patchSize, double periodSeconds, int frames) {

    public WindowLayout {
        if (gridRows < 1 || gridCols < 1 || patchSize < 1) {
            throw new IllegalArgumentException(
                    "patch grid "
                            + gridRows
                            + " x "
                            + gridCols
                            + " of "
                            + patchSize
                            + " pixels; need 1 or more of each");
        }
        if (!(periodSeconds > 0) || Double.isInfinite(periodSeconds)) {
            throw new IllegalArgumentException(
                    "frame period " + periodSeconds + " s; need a finite period above 0 s");
        }
        if (frames < 2) {
            throw new IllegalArgumentException("window of " + frames + " frames; need 2 or more");
        }
    }

    /** Returns the layout of frames cut like {@code tokens}. */
    public static WindowLayout of(PatchTokens tokens, double periodSeconds, int frames) {
        return new WindowLayout(
                tokens.gridRows, tokens.gridCols, tokens.patchSize, periodSeconds, frames);
    }

    /** Key of the layout in a frame model's notes ({@link org.cststream.model.CstModel#notes}). */
    public static final String NOTES_KEY = "window";

    /**
     * Returns the layout saved in a frame model's notes.
     *
     * @throws IllegalArgumentException if the model has none (it was not trained on frames)
     */
    public static WindowLayout of(org.cststream.model.CstModel model) {
        return fromNotes(model.notes(), "in use");
    }

    /**
     * Returns the layout saved in the manifest of the model folder {@code dir}, without loading the
     * model.
     *
     * @throws IOException if the manifest cannot be read
     * @throws IllegalArgumentException if the model has no layout
     */
    public static WindowLayout read(java.nio.file.Path dir) throws java.io.IOException {
        com.fasterxml.jackson.databind.JsonNode m =
                new com.fasterxml.jackson.databind.ObjectMapper()
                        .readTree(dir.resolve(org.cststream.model.CstModel.MANIFEST).toFile());
        return fromNotes(m.path("notes"), dir.toString());
    }

    private static WindowLayout fromNotes(
            com.fasterxml.jackson.databind.JsonNode notes, String where) {
        com.fasterxml.jackson.databind.JsonNode n = notes.get(NOTES_KEY);
        if (n == null) {
            throw new IllegalArgumentException(
                    "the model "
                            + where
                            + " has no window layout in its notes: it was not trained on frames"
                            + " (train one with cst train)");
        }
        return fromJson(n);
    }

    /**
     * Returns the layout written as JSON by Jackson ({@code valueToTree(layout)}).
     *
     * @throws IllegalArgumentException if a field is missing or out of range
     */
    public static WindowLayout fromJson(com.fasterxml.jackson.databind.JsonNode n) {
        return new WindowLayout(
                n.path("gridRows").asInt(),
                n.path("gridCols").asInt(),
                n.path("patchSize").asInt(),
                n.path("periodSeconds").asDouble(),
                n.path("frames").asInt());
    }

    /** Returns this layout with another frame period, e.g. the stream's. */
    public WindowLayout withPeriod(double seconds) {
        return new WindowLayout(gridRows, gridCols, patchSize, seconds, frames);
    }

    /** Returns the patches per frame. */
    public int patches() {
        return gridRows * gridCols;
    }

    /** Returns the values per patch (p * p). */
    public int patchValues() {
        return patchSize * patchSize;
    }

    /** Returns the values per frame (patches * p * p). */
    public int frameValues() {
        return patches() * patchValues();
    }

    /** Returns the window's span in seconds, from its first grid time to its last. */
    public double spanSeconds() {
        return (frames - 1) * periodSeconds;
    }

    /**
     * Returns the model's time coordinate of {@code seconds} in a window whose first grid time is
     * {@code startSeconds}.
     */
    public float timeCoordinate(double seconds, double startSeconds) {
        return (float) ((seconds - startSeconds) / spanSeconds());
    }

    /** Returns the model's row coordinate of patch row {@code r}. */
    public float rowCoordinate(int r) {
        return (float) ((r + 0.5) / gridRows);
    }

    /** Returns the model's column coordinate of patch column {@code c}. */
    public float colCoordinate(int c) {
        return (float) ((c + 0.5) / gridCols);
    }

    /** Checks that {@code tokens} were cut with this layout's grid and patch size. */
    public void check(PatchTokens tokens) {
        if (tokens.gridRows != gridRows
                || tokens.gridCols != gridCols
                || tokens.patchSize != patchSize) {
            throw new IllegalArgumentException(
                    "frame "
                            + tokens.frameCounter
                            + " of session "
                            + tokens.sessionId
                            + " has "
                            + tokens.gridRows
                            + " x "
                            + tokens.gridCols
                            + " patches of "
                            + tokens.patchSize
                            + " pixels; the model was trained on "
                            + gridRows
                            + " x "
                            + gridCols
                            + " patches of "
                            + patchSize
                            + " (same --binning, --patch-size and frame size needed)");
        }
    }
}
