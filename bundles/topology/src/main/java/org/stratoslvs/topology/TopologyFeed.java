package org.stratoslvs.topology;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.StringJoiner;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.jms.BytesMessage;
import jakarta.jms.Destination;
import jakarta.jms.JMSException;
import jakarta.jms.TextMessage;
import jakarta.jms.Topic;

import org.apache.activemq.ActiveMQConnectionFactory;
import org.apache.activemq.command.ActiveMQMessage;
import org.apache.activemq.transport.TransportListener;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.jms.JmsComponent;
import org.apache.camel.component.jms.JmsConsumer;
import org.apache.camel.impl.DefaultCamelContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jms.listener.DefaultMessageListenerContainer;
import org.stratoslvs.core.topology.TopologyEvents;
import org.stratoslvs.core.topology.TopologyStore;

/**
 * The JMS side of the topology listener: one Camel context with a route consuming {@code topology.>} and the
 * producer that asks the Cloud Controller for a complete topology. No OSGi here, so tests run it against a
 * real embedded broker without a container.
 *
 * <p>Reconnects are ActiveMQ's and Camel's: the consumer's connection factory uses ActiveMQ's failover
 * transport (a plain {@code tcp://} URL is wrapped), which re-establishes the connection and re-subscribes;
 * its transport listener tells us when the connection comes back so we can ask for a complete topology
 * (events published while we were away are lost on a non-durable topic subscription).
 *
 * <p>Both connections accept frames up to {@code topology.max.message.bytes} plus {@link #FRAME_ENVELOPE_BYTES}
 * ({@link #withFrameLimit}): a body over the limit is refused before it is read, whatever the broker's own limit, and
 * the connection that refused it is re-established (the body is lost, as the store would have rejected it).
 */
public final class TopologyFeed implements AutoCloseable {

    /** What the feed hands every message to; must not throw for bad input (it counts and explains rejects). */
    @FunctionalInterface
    public interface MessageSink {
        void onMessage(String topic, byte[] body);

        /**
         * A message on {@code topic} was refused unread ({@code why}). Returns true when the sink accounts for it
         * (counts and logs it); by default it does not, and the feed logs it, at most once a minute.
         */
        default boolean refusedUnread(String topic, String why) {
            return false;
        }
    }

    /**
     * Connection settings.
     *
     * @param maxMessageBytes {@code topology.max.message.bytes}: the connection accepts frames up to this plus
     *                        {@link #FRAME_ENVELOPE_BYTES}, so that no broker can put a larger body on our heap
     */
    public record BrokerSettings(String url, String username, String password, Duration resyncInterval,
                                 long maxMessageBytes) {
        public BrokerSettings {
            Objects.requireNonNull(url, "url");
            resyncInterval = resyncInterval == null ? Duration.ZERO : resyncInterval;
            if (maxMessageBytes < 1) {
                throw new IllegalArgumentException("maxMessageBytes must be positive: " + maxMessageBytes);
            }
        }

        /** With the default message limit (TopologyStore's). */
        public BrokerSettings(String url, String username, String password, Duration resyncInterval) {
            this(url, username, password, resyncInterval, TopologyStore.DEFAULT_MAX_MESSAGE_BYTES);
        }

        /** Largest frame the connection accepts. */
        public long maxFrameBytes() {
            return maxMessageBytes + FRAME_ENVELOPE_BYTES;
        }

        /** Without the password, which a record would print. */
        @Override
        public String toString() {
            return "BrokerSettings[url=" + url + ", username=" + username + ", password="
                    + (password == null || password.isEmpty() ? "" : "****") + ", resyncInterval=" + resyncInterval
                    + ", maxMessageBytes=" + maxMessageBytes + "]";
        }
    }

    /**
     * What a frame delivering a message carries besides its body: the same envelope the embedded broker allows
     * (bundles/broker BrokerSettings.FRAME_ENVELOPE_BYTES: the largest MQTT topic, OpenWire headers).
     */
    public static final long FRAME_ENVELOPE_BYTES = 128 * 1024;

    public static final String TOPOLOGY_TOPIC_PATTERN = "topology.>";
    public static final String COMPLETE_TOPOLOGY_REQUEST_TOPIC = "initializer.CompleteTopologyRequestEvent";
    static final String COMPLETE_TOPOLOGY_TOPIC = "topology." + TopologyEvents.COMPLETE_TOPOLOGY;
    /**
     * A request nobody answered (the Cloud Controller not up yet, or reconnecting to the broker after the same
     * outage as we did) is sent again after this long, until a complete topology arrives; otherwise the model would
     * wait for the Cloud Controller's periodic publish (about a minute, and only when topology sync is on).
     */
    static final Duration REQUEST_RETRY = Duration.ofSeconds(10);
    private static final long NOT_WAITING = Long.MIN_VALUE;
    private static final Duration REFUSAL_LOG_INTERVAL = Duration.ofMinutes(1);
    private static final long REQUEST_CHECK_MILLIS = 100;
    private static final String ROUTE_ID = "stratos-topology";
    private static final String MAX_FRAME_SIZE_OPTION = "wireFormat.maxFrameSize";

    private static final Logger LOG = LoggerFactory.getLogger(TopologyFeed.class);

    private final BrokerSettings settings;
    private final MessageSink sink;
    private final String name;
    private final AtomicBoolean connected = new AtomicBoolean();
    /** Why a complete topology is due, or null when none is. */
    private final AtomicReference<String> requestDue = new AtomicReference<>("start-up");
    private volatile long nextPeriodicRequest;
    private final Duration requestRetry;
    /** {@link System#nanoTime()} of the last request not answered yet by a complete topology, or NOT_WAITING. */
    private final AtomicLong unansweredSince = new AtomicLong(NOT_WAITING);
    /** Whether the current series of unanswered requests was logged (once per series). */
    private final AtomicBoolean retryLogged = new AtomicBoolean();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong nextRefusalLog = new AtomicLong(System.nanoTime());
    private volatile CamelContext camel;
    private volatile ProducerTemplate producer;

    public TopologyFeed(String name, BrokerSettings settings, MessageSink sink) {
        this(name, settings, sink, REQUEST_RETRY);
    }

    /** With another retry interval for unanswered requests (tests). */
    TopologyFeed(String name, BrokerSettings settings, MessageSink sink, Duration requestRetry) {
        this.name = name;
        this.settings = settings;
        this.sink = sink;
        this.requestRetry = requestRetry;
    }

    /** Starts the route and the start-up complete-topology request; does not wait for the broker. */
    public void start(ClassLoader applicationClassLoader) throws Exception {
        DefaultCamelContext context = new DefaultCamelContext();
        context.getCamelContextExtension().setName(name);
        if (applicationClassLoader != null) {
            context.setApplicationContextClassLoader(applicationClassLoader);
        }
        context.addComponent("jms-consume", JmsComponent.jmsComponent(consumerConnectionFactory()));
        context.addComponent("jms-produce", JmsComponent.jmsComponent(producerConnectionFactory()));
        // Routes added to a context that is not started yet may stay unstarted: start first, then add.
        context.start();
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                // The sink counts and explains bad input itself; anything that still escapes is a bug. Handle it
                // here so the message is acknowledged, not redelivered forever, and the route goes on.
                onException(Exception.class).handled(true).process(exchange -> LOG.error(
                        "Unexpected failure on a topology message; it is dropped",
                        exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class)));
                // Ordering matters (Activated before Terminated): one consumer. A topic subscription is
                // non-durable on purpose: after an outage we re-request the complete topology instead of
                // replaying stale events. asyncStartListener keeps start-up from blocking on a broker that
                // is down; the listener container retries on its own.
                from("jms-consume:topic:" + TOPOLOGY_TOPIC_PATTERN
                        + "?concurrentConsumers=1&asyncStartListener=true&recoveryInterval=1000"
                        + "&testConnectionOnStartup=false&mapJmsMessage=false")
                        .routeId(ROUTE_ID)
                        .process(TopologyFeed.this::deliver);

                // A complete-topology request is only useful once our subscription is in place (a non-durable
                // topic drops what arrives before): requests are made due by start-up, by a reconnect and by the
                // optional periodic resync, and sent by this timer as soon as the consumer is registered.
                from("timer:complete-topology-request?delay=0&period=" + REQUEST_CHECK_MILLIS)
                        .routeId("complete-topology-request")
                        .process(exchange -> sendDueRequest());
            }
        });
        producer = context.createProducerTemplate();
        camel = context;
        LOG.info("Topology route started on {} ({})", settings.url(), TOPOLOGY_TOPIC_PATTERN);
    }

    private void sendDueRequest() {
        if (!isConnected()) {
            return;
        }
        long now = System.nanoTime();
        if (!settings.resyncInterval().isZero() && now - nextPeriodicRequest >= 0) {
            nextPeriodicRequest = now + settings.resyncInterval().toNanos();
            requestDue.compareAndSet(null, "periodic resync");
        }
        String reason = requestDue.getAndSet(null);
        if (reason != null) {
            requestCompleteTopology(reason);
            return;
        }
        long asked = unansweredSince.get();
        if (asked != NOT_WAITING && now - asked >= requestRetry.toNanos()) {
            // logged once per unanswered series, not every retry interval while the Cloud Controller is away
            if (retryLogged.compareAndSet(false, true)) {
                LOG.warn("No complete topology within {} ms of the request; asking again every {} ms until one "
                        + "arrives", requestRetry.toMillis(), requestRetry.toMillis());
            }
            send();
        }
    }

    /** True once the route's consumer is subscribed on the broker (not merely connected). */
    private boolean subscribed() {
        CamelContext context = camel;
        if (context == null || context.getRoute(ROUTE_ID) == null) {
            return false;
        }
        try {
            // The container exists once the route's consumer does; the accessor only declares Exception.
            return context.getRoute(ROUTE_ID).getConsumer() instanceof JmsConsumer consumer
                    && consumer.getListenerContainer() instanceof DefaultMessageListenerContainer container
                    && container.isRegisteredWithDestination();
        } catch (Exception e) {
            return false;
        }
    }

    /**
     * The body is the JMS message itself ({@code mapJmsMessage=false}): Camel would read it before the route runs
     * (stream caching), inflating a compressed body or deserializing an ObjectMessage; here it is checked first.
     */
    private void deliver(Exchange exchange) throws JMSException {
        Object body = exchange.getMessage().getBody();
        if (!(body instanceof jakarta.jms.Message message)) {
            LOG.debug("Ignored a non-JMS body {}", body == null ? null : body.getClass());
            return;
        }
        String topic = topicOf(message.getJMSDestination());
        if (topic.equals(COMPLETE_TOPOLOGY_TOPIC)) {
            // an answer (whether the store accepts it is its business): stop repeating the request
            unansweredSince.set(NOT_WAITING);
            retryLogged.set(false);
        }
        String refusal = refusal(message);
        if (refusal != null) {
            long total = refused.incrementAndGet();
            if (sink.refusedUnread(topic, refusal)) {
                return;
            }
            long due = nextRefusalLog.get();
            long now = System.nanoTime();
            if (now - due >= 0 && nextRefusalLog.compareAndSet(due, now + REFUSAL_LOG_INTERVAL.toNanos())) {
                LOG.warn("Refused a message on {} unread: {} ({} so far; logged at most once a minute)", topic,
                        refusal, total);
            }
            return;
        }
        byte[] bytes;
        if (message instanceof TextMessage text) {
            String s = text.getText();
            bytes = s == null ? new byte[0] : s.getBytes(StandardCharsets.UTF_8);
        } else {
            // MQTT publishers arrive as BytesMessage; uncompressed, so its length is that of the frame's content
            BytesMessage bytesMessage = (BytesMessage) message;
            bytes = new byte[(int) bytesMessage.getBodyLength()];
            bytesMessage.readBytes(bytes);
        }
        sink.onMessage(topic, bytes);
    }

    /**
     * Why a message must not be unpacked, or null. Stratos publishes uncompressed TextMessages (and MQTT arrives as
     * BytesMessages). A compressed body is inflated in full by ActiveMQ on first access, to the size its first bytes
     * claim, however small its frame was; an ObjectMessage would be deserialized.
     */
    private static String refusal(jakarta.jms.Message raw) {
        if (!(raw instanceof TextMessage) && !(raw instanceof BytesMessage)) {
            return "a " + raw.getClass().getSimpleName() + " (only text and bytes messages are read)";
        }
        if (raw instanceof ActiveMQMessage activeMq && activeMq.isCompressed()) {
            return "a compressed body (ActiveMQ would inflate it in full before any size check)";
        }
        return null;
    }

    private static String topicOf(Object destination) {
        if (destination instanceof Topic t) {
            try {
                return t.getTopicName();
            } catch (JMSException e) {
                return "";
            }
        }
        return destination instanceof Destination ? String.valueOf(destination) : "";
    }

    /** Publishes {@code {}} to initializer.CompleteTopologyRequestEvent, as Stratos' own subscribers do. */
    public void requestCompleteTopology(String reason) {
        if (producer != null) {
            LOG.info("Requesting the complete topology ({})", reason);
            send();
        }
    }

    /** Sends the request and starts waiting for its answer (repeated every requestRetry until one comes). */
    private void send() {
        ProducerTemplate p = producer;
        if (p == null) {
            return;
        }
        unansweredSince.set(System.nanoTime());
        p.asyncSendBody("jms-produce:topic:" + COMPLETE_TOPOLOGY_REQUEST_TOPIC, "{}").whenComplete((r, e) -> {
            if (e != null) {
                LOG.warn("Complete topology request failed: {}", e.getMessage());
            }
        });
    }

    /** Messages refused before their body was read (compressed, or neither text nor bytes). */
    public long refusedMessages() {
        return refused.get();
    }

    /** Connected to the broker and subscribed to the topology topics. */
    public boolean isConnected() {
        return connected.get() && subscribed();
    }

    @Override
    public void close() {
        CamelContext context = camel;
        camel = null;
        producer = null;
        connected.set(false);
        if (context != null) {
            context.stop();
            LOG.info("Topology route stopped");
        }
    }

    private ActiveMQConnectionFactory consumerConnectionFactory() {
        ActiveMQConnectionFactory factory = connectionFactory(failoverUrl(settings.url(), false));
        factory.setTransportListener(new TransportListener() {
            @Override
            public void onCommand(Object command) {
            }

            @Override
            public void onException(java.io.IOException error) {
                connected.set(false);
            }

            @Override
            public void transportInterupted() { // sic: ActiveMQ's spelling
                if (connected.getAndSet(false)) {
                    LOG.warn("Connection to broker {} lost; ActiveMQ is reconnecting", settings.url());
                }
            }

            @Override
            public void transportResumed() {
                if (!connected.getAndSet(true)) {
                    LOG.info("Connected to broker {}", settings.url());
                    // Events published while we were away are gone: ask for the whole picture again (sent by
                    // the request timer once the subscription is back).
                    requestDue.set("broker connection (re)established");
                }
            }
        });
        return factory;
    }

    private ActiveMQConnectionFactory producerConnectionFactory() {
        // The producer must not hang forever while the broker is down: a bounded failover send timeout.
        return connectionFactory(failoverUrl(settings.url(), true));
    }

    private ActiveMQConnectionFactory connectionFactory(String url) {
        ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory(
                withFrameLimit(url, settings.maxFrameBytes()));
        if (settings.username() != null && !settings.username().isEmpty()) {
            factory.setUserName(settings.username());
            factory.setPassword(settings.password());
        }
        factory.setClientIDPrefix("stratos-lvs");
        return factory;
    }

    /**
     * Adds {@code wireFormat.maxFrameSize} to every transport of a failover URL: ActiveMQ then refuses any frame
     * larger than that before reading it, and tells the broker, which negotiates the smaller of both limits and never
     * sends a larger one (the connection is closed instead, and failover reconnects). An operator's own smaller limit
     * stays. {@code vm://} has no frames.
     */
    static String withFrameLimit(String failoverUrl, long maxFrameBytes) {
        String rest = failoverUrl.substring("failover:".length());
        String transports;
        String options;
        if (rest.startsWith("(")) {
            int close = rest.lastIndexOf(')');
            transports = rest.substring(1, close);
            options = rest.substring(close + 1);
        } else {
            // failover:uri?options: the options are failover's (as ActiveMQ reads it)
            int query = rest.indexOf('?');
            transports = query < 0 ? rest : rest.substring(0, query);
            options = query < 0 ? "" : rest.substring(query);
        }
        StringJoiner limited = new StringJoiner(",", "failover:(", ")" + options);
        for (String transport : transports.split(",")) {
            limited.add(transportWithFrameLimit(transport.trim(), maxFrameBytes));
        }
        return limited.toString();
    }

    private static String transportWithFrameLimit(String transport, long maxFrameBytes) {
        if (transport.startsWith("vm:")) {
            return transport;
        }
        int query = transport.indexOf('?');
        String base = query < 0 ? transport : transport.substring(0, query);
        Map<String, String> parameters = new LinkedHashMap<>();
        if (query >= 0) {
            for (String parameter : transport.substring(query + 1).split("&")) {
                int equals = parameter.indexOf('=');
                if (!parameter.isEmpty()) {
                    parameters.put(equals < 0 ? parameter : parameter.substring(0, equals),
                            equals < 0 ? "" : parameter.substring(equals + 1));
                }
            }
        }
        parameters.merge(MAX_FRAME_SIZE_OPTION, String.valueOf(maxFrameBytes),
                (own, ours) -> isSmaller(own, maxFrameBytes) ? own : ours);
        StringJoiner joined = new StringJoiner("&", base + "?", "");
        parameters.forEach((key, value) -> joined.add(value.isEmpty() ? key : key + "=" + value));
        return joined.toString();
    }

    private static boolean isSmaller(String value, long limit) {
        try {
            long own = Long.parseLong(value.trim());
            return own > 0 && own <= limit;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /**
     * Wraps a plain broker URL in ActiveMQ's failover transport so that reconnects are ActiveMQ's job.
     * A URL that already says failover: is left as the operator wrote it.
     */
    static String failoverUrl(String url, boolean forProducer) {
        String trimmed = url.trim();
        if (trimmed.startsWith("failover:")) {
            return trimmed;
        }
        URI.create(trimmed); // fail early on a malformed URL
        String options = "initialReconnectDelay=100&maxReconnectDelay=5000&useExponentialBackOff=true"
                + "&startupMaxReconnectAttempts=-1&maxReconnectAttempts=-1";
        if (forProducer) {
            options += "&timeout=5000";
        }
        return "failover:(" + trimmed + ")?" + options;
    }
}
