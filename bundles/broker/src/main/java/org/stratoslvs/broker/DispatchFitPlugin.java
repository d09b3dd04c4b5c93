package org.stratoslvs.broker;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.activemq.broker.Broker;
import org.apache.activemq.broker.BrokerFilter;
import org.apache.activemq.broker.BrokerPlugin;
import org.apache.activemq.broker.Connector;
import org.apache.activemq.broker.ProducerBrokerExchange;
import org.apache.activemq.broker.TransportConnector;
import org.apache.activemq.command.ActiveMQDestination;
import org.apache.activemq.command.Message;
import org.apache.activemq.openwire.BooleanStream;
import org.apache.activemq.openwire.OpenWireFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses a message that arrived within the frame limit but would not fit it on the way out. An OpenWire client
 * negotiates one limit for both directions, and the broker delivers a message in a frame of its own (the message plus
 * a dispatch envelope; a message from MQTT gains OpenWire headers): one that only just fitted coming in would be
 * refused by every subscriber's connection, which the broker then closes: one publisher disconnecting everyone. So
 * each message is measured as OpenWire encodes it (tight encoding, no marshal cache: an upper bound) and refused
 * unless it fits with {@link #DISPATCH_ENVELOPE_BYTES} and its destination once more (what a dispatch adds).
 *
 * <p>A refused OpenWire message fails the send: a synchronous sender gets the error, an asynchronous one loses its
 * connection (ActiveMQ closes a connection whose one-way command failed with an I/O error). A refused MQTT message is
 * dropped without an error: ActiveMQ's MQTT transport would log a failed publish with its whole payload in hex (a line
 * twice the message's size). Either way it is counted and logged here, at most once a minute.
 */
final class DispatchFitPlugin implements BrokerPlugin {

    /** The dispatch's own fields besides the message and its destination: consumer id, counters (~100 bytes). */
    static final int DISPATCH_ENVELOPE_BYTES = 1024;

    /** Measuring only (no marshal cache, no state written): one per thread as the format is not meant to be shared. */
    private static final ThreadLocal<OpenWireFormat> FORMAT = ThreadLocal.withInitial(() -> {
        OpenWireFormat format = new OpenWireFormat();
        format.setTightEncodingEnabled(true);
        format.setCacheEnabled(false);
        return format;
    });

    private static final Logger LOG = LoggerFactory.getLogger(DispatchFitPlugin.class);
    private static final long LOG_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final long maxFrameBytes;
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong nextLog = new AtomicLong(System.nanoTime());

    DispatchFitPlugin(long maxFrameBytes) {
        this.maxFrameBytes = maxFrameBytes;
    }

    @Override
    public Broker installPlugin(Broker broker) {
        return new BrokerFilter(broker) {
            @Override
            public void send(ProducerBrokerExchange exchange, Message message) throws Exception {
                long needed = dispatchBytes(message);
                if (needed <= maxFrameBytes) {
                    super.send(exchange, message);
                    return;
                }
                String why = "message to " + message.getDestination() + " refused: " + needed
                        + " bytes delivered, more than the frame limit of " + maxFrameBytes
                        + " bytes (topology.max.message.bytes + " + BrokerSettings.FRAME_ENVELOPE_BYTES + ")";
                count(why);
                if (!isMqtt(exchange.getConnectionContext().getConnector())) {
                    throw new IOException(why);
                }
            }
        };
    }

    private void count(String why) {
        long total = refused.incrementAndGet();
        long due = nextLog.get();
        long now = System.nanoTime();
        if (now - due >= 0 && nextLog.compareAndSet(due, now + LOG_INTERVAL_NANOS)) {
            LOG.warn("{} ({} refused so far; logged at most once a minute)", why, total);
        }
    }

    private static boolean isMqtt(Connector connector) {
        return connector instanceof TransportConnector transport && transport.getUri() != null
                && transport.getUri().getScheme() != null && transport.getUri().getScheme().startsWith("mqtt");
    }

    /** How many messages were refused since the broker started. */
    long refused() {
        return refused.get();
    }

    /** An upper bound of the frame that delivers this message to a subscriber. */
    static long dispatchBytes(Message message) throws IOException {
        OpenWireFormat format = FORMAT.get();
        long bytes = 4L + format.tightMarshal1(message, new BooleanStream()); // 4: the frame's length prefix
        ActiveMQDestination destination = message.getDestination();
        if (destination != null) {
            bytes += format.tightMarshal1(destination, new BooleanStream());
        }
        return bytes + DISPATCH_ENVELOPE_BYTES;
    }
}
