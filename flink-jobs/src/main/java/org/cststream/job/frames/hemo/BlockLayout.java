package org.cststream.job.frames.hemo;

import java.util.ArrayList;
import java.util.List;
import org.cststream.job.frames.hemo.TileGeometry.Rect;

/**
 * The MMSE blocks of one tile: its interior cut into squares of {@code block} pixels (smaller at
 * the right and bottom), each with a neighbourhood of the block plus {@code margin} pixels on every
 * side, clipped to the tile's window. Also where each block's moments and estimator live in the
 * tile's flat state arrays.
 */
final class BlockLayout {
    /** Window-relative indices of each block's neighbourhood pixels. */
    final int[][] neighbourhood;

    /** Positions in the neighbourhood of each block's own pixels. */
    final int[][] own;

    /** Interior-relative indices of each block's own pixels. */
    final int[][] ownInterior;

    final int[] meanOffset;
    final int[] covOffset;
    final int[] estimatorOffset;
    final int meanLength;
    final int covLength;
    final int estimatorLength;

    /**
     * @param windowWidth columns of the tile's window
     * @param windowHeight rows of the tile's window
     * @param interior the tile's interior, relative to its window
     */
    BlockLayout(int windowWidth, int windowHeight, Rect interior, int block, int margin) {
        Rect bounds = new Rect(0, 0, windowWidth, windowHeight);
        List<int[]> nbr = new ArrayList<>();
        List<int[]> mine = new ArrayList<>();
        List<int[]> mineInterior = new ArrayList<>();
        for (int by = 0; by < interior.height(); by += block) {
            for (int bx = 0; bx < interior.width(); bx += block) {
                Rect b =
                        new Rect(
                                interior.x() + bx,
                                interior.y() + by,
                                Math.min(block, interior.width() - bx),
                                Math.min(block, interior.height() - by));
                Rect n = TileGeometry.expand(b, margin, bounds);
                int[] idx = new int[n.size()];
                int[] ownPos = new int[b.size()];
                int[] ownInt = new int[b.size()];
                int k = 0;
                int o = 0;
                for (int y = n.y(); y < n.y() + n.height(); y++) {
                    for (int x = n.x(); x < n.x() + n.width(); x++) {
                        if (x >= b.x()
                                && x < b.x() + b.width()
                                && y >= b.y()
                                && y < b.y() + b.height()) {
                            ownPos[o] = k;
                            ownInt[o] = (y - interior.y()) * interior.width() + (x - interior.x());
                            o++;
                        }
                        idx[k++] = y * windowWidth + x;
                    }
                }
                nbr.add(idx);
                mine.add(ownPos);
                mineInterior.add(ownInt);
            }
        }
        neighbourhood = nbr.toArray(new int[0][]);
        own = mine.toArray(new int[0][]);
        ownInterior = mineInterior.toArray(new int[0][]);
        int blocks = neighbourhood.length;
        meanOffset = new int[blocks];
        covOffset = new int[blocks];
        estimatorOffset = new int[blocks];
        int m = 0;
        int c = 0;
        int e = 0;
        for (int j = 0; j < blocks; j++) {
            int d = 2 * neighbourhood[j].length;
            meanOffset[j] = m;
            covOffset[j] = c;
            estimatorOffset[j] = e;
            m += d;
            c += MmseEstimator.packedLength(d);
            e += own[j].length * d;
        }
        meanLength = m;
        covLength = c;
        estimatorLength = e;
    }

    int blocks() {
        return neighbourhood.length;
    }
}
