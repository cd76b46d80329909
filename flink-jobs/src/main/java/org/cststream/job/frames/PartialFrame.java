package org.cststream.job.frames;

/** A corrected frame being put together from its tiles. */
public class PartialFrame {
    /** The frame's identity and the values pasted so far. */
    public DffFrame frame = new DffFrame();

    /** Tiles pasted. */
    public int tiles;

    /** True while every tile pasted so far was calibrated. */
    public boolean calibrated = true;

    /** Implausible pixels over the tiles pasted. */
    public int implausible;

    public PartialFrame() {}
}
