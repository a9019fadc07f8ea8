namespace Kvmspec.Model.Arm64;

/// <summary>RunProtocol's triggers: the VMM's ioctls, environment events, and the automatic steps
/// of the run loop (enter, execute, handle_exit).</summary>
public enum RunTrigger
{
    KVM_SET_GUEST_DEBUG,
    KVM_RUN,
    mmio_data,
    KVM_SET_VCPU_EVENTS,
    KVM_GET_ONE_REG,
    KVM_SET_ONE_REG,
    KVM_ENABLE_CAP,
    vmm_emulate,
    guest_irq,
    host_irq,
    signal,
    /// <summary>The run loop's top: check for signals, configure debug, adjust the PC, enter.</summary>
    enter,
    /// <summary>The CPU's next step in the guest.</summary>
    execute,
    /// <summary>KVM's exit handler for the trap the CPU took.</summary>
    handle_exit,
}
