package org.cststream.job.frames.hemo;

/** The hemodynamic correction a run applies to each calcium channel. */
public enum HemoMethod {
    /** No correction: every channel's dF/F goes on to the patches as it is. */
    NONE,
    /**
     * Per-pixel regression of the calcium dF/F on the isosbestic dF/F, both band-limited; the
     * fitted part is subtracted.
     */
    REGRESSION,
    /**
     * The spatial minimum-mean-square-error estimator: per block of pixels, the neuronal signal
     * estimated from both channels in a neighbourhood, from their covariances.
     */
    MMSE
}
