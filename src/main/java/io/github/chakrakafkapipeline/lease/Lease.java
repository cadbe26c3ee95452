package io.github.chakrakafkapipeline.lease;

/** The poll's lease, as a fenced publisher needs it: whichever cluster service elects the leader answers. */
public interface Lease {

    /**
     * Whether the cluster service gives the lease to this replica now, as it says when asked, not as this replica last
     * heard: one frozen past its session timeout still believes it leads. False when the service cannot tell.
     */
    boolean heldHere();

    /** Gives the lease up, so that the replica that fenced this one can lead. */
    void giveUp();
}
