/*
 * The practice's chat widget. One script tag adds a chat button and panel to any page:
 *
 *   <script>window.SpineChatConfig = { phone: "555-555-5555" };</script>
 *   <script src="https://bot.example.org/widget/spine-chat.js" defer></script>
 *
 * The Rasa server serves this file (channels/web.py), so by default the widget chats with the
 * server it was loaded from; `serverUrl` in the config says otherwise.
 *
 * It talks to the Rasa server over socket.io (vendor/socket.io.min.js, loaded from beside this
 * file, so the page needs no CDN). Bot text is always shown as text, never parsed as HTML.
 *
 * "Delete" in the header asks the bot to forget the conversation (data/topics/privacy.yml): the
 * bot asks back, and once it has deleted the conversation it says so with the custom payload
 * {"conversation_deleted": true}; the widget then forgets it too and starts a new one.
 */
(function () {
  "use strict";

  if (window.SpineChat) {
    return; // the snippet was pasted twice
  }

  var scriptUrl = (document.currentScript && document.currentScript.src) || "";
  var config = Object.assign(
    {
      serverUrl: "",
      socketPath: "/socket.io/",
      title: "Ask our spine team",
      phone: "",
      primaryColor: "#0b5394",
      primaryTextColor: "#ffffff",
      // No answer after this long: tell the patient instead of leaving them waiting.
      replyTimeoutMs: 20000,
    },
    window.SpineChatConfig || {}
  );
  if (!config.serverUrl) {
    // The Rasa server serves this script (/widget/spine-chat.js): it is where the chat is.
    config.serverUrl = scriptUrl ? new URL(scriptUrl).origin : window.location.origin;
  }

  // The widget's own words, in the page's language: Spanish on a page that says <html lang="es">
  // (issue 24), English otherwise. The bot's answers follow the patient's messages.
  var LANGUAGE = /^es\b/i.test(document.documentElement.lang || "") ? "es" : "en";
  var WORDS = {
    en: {
      launcher: "Chat with us", close: "Close chat", forget: "Delete this conversation",
      deleteWord: "Delete", conversation: "Conversation", ask: "Type your question",
      placeholder: "Type your question\u2026", send: "Send", suggested: "Suggested replies",
      disclaimer: "Not for emergencies: call 911. This chat gives general information, not medical advice.",
    },
    es: {
      launcher: "Chatee con nosotros", close: "Cerrar el chat", forget: "Borrar esta conversaci\u00f3n",
      deleteWord: "Borrar", conversation: "Conversaci\u00f3n", ask: "Escriba su pregunta",
      placeholder: "Escriba su pregunta\u2026", send: "Enviar", suggested: "Respuestas sugeridas",
      disclaimer: "No es para emergencias: llame al 911. Este chat da informaci\u00f3n general, no consejo m\u00e9dico.",
    },
  }[LANGUAGE];

  // What the window says on its own. The practice's words come from the chat server
  // (/widget/messages.json: data/topics/bot_messages.yml) when the page opens; these stand in
  // until then, or if the server could not be reached even once.
  var messages = {
    unreachable: "We can't reach the chat right now. We keep trying." +
      (config.phone ? " Please call us at " + config.phone + "." : "") + " In an emergency, call 911.",
    noAnswer: "Sorry, no answer came back. Please try again" +
      (config.phone ? ", or call us at " + config.phone + "." : "."),
  };

  function loadMessages() {
    if (!window.fetch) return;
    window.fetch(config.serverUrl + "/widget/messages.json?lang=" + LANGUAGE, { credentials: "omit" })
      .then(function (response) { return response.ok ? response.json() : {}; })
      .then(function (found) {
        Object.keys(messages).forEach(function (key) {
          if (found && typeof found[key] === "string" && found[key]) messages[key] = found[key];
        });
      })
      .catch(function () { /* the stand-ins stay */ });
  }

  var STORAGE_SESSION = "spine-chat:session";
  var STORAGE_TRANSCRIPT = "spine-chat:transcript";
  var STORAGE_OPEN = "spine-chat:open";
  // What the delete control sends: the "forget me" intent itself, so no wording can be misread.
  var FORGET_PAYLOAD = "/forget_me";
  var MAX_MESSAGE_LENGTH = 1000;
  // Phone numbers (including 911 and 988) and https addresses become links; nothing else does
  // (a plain-http address in a notice stays text: no patient is sent where it can be tampered).
  var LINK_PATTERN = /(https:\/\/[^\s<>"']+[^\s<>"'.,;:!?)])|(\b\d{3}[-.\s]\d{3}[-.\s]\d{4}\b)|(\b(?:911|988)\b)/g;
  var TRASH_ICON = '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false" fill="none" ' +
    'stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">' +
    '<path d="M3 6h18M8 6V4h8v2M19 6l-1 14H6L5 6M10 11v6M14 11v6"/></svg>';

  var STYLE = [
    ":host { all: initial; }",
    "*, *::before, *::after { box-sizing: border-box; }",
    ".root { font: 16px/1.45 system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif; color: #1f2937; }",
    ".launcher { position: fixed; right: 20px; bottom: 20px; z-index: 2147483000; display: flex; align-items: center; gap: 8px;",
    "  padding: 12px 18px; border: 0; border-radius: 999px; background: var(--primary); color: var(--on-primary);",
    "  font: inherit; font-weight: 600; cursor: pointer; box-shadow: 0 4px 14px rgba(0,0,0,.25); }",
    ".launcher[hidden] { display: none; }",
    ".panel { position: fixed; right: 20px; bottom: 20px; z-index: 2147483001; width: 380px; max-width: calc(100vw - 40px);",
    "  height: 600px; max-height: calc(100vh - 40px); display: flex; flex-direction: column; background: #fff;",
    "  border-radius: 14px; box-shadow: 0 10px 40px rgba(0,0,0,.3); overflow: hidden; }",
    ".panel[hidden] { display: none; }",
    ".header { background: var(--primary); color: var(--on-primary); padding: 12px 14px; display: flex; align-items: center; gap: 8px; }",
    ".header h2 { font-size: 17px; margin: 0; flex: 1; }",
    ".close, .delete { border: 0; background: transparent; color: inherit; font: inherit; line-height: 1;",
    "  height: 36px; border-radius: 8px; cursor: pointer; }",
    ".close { font-size: 22px; width: 36px; }",
    ".delete { display: flex; align-items: center; gap: 5px; padding: 0 8px; font-size: 14px; font-weight: 600; }",
    ".delete svg { width: 16px; height: 16px; flex: none; }",
    ".delete:disabled { opacity: .6; cursor: not-allowed; }",
    ".disclaimer { margin: 0; padding: 8px 14px; background: #fff4e5; color: #5c2c00; font-size: 14px; border-bottom: 1px solid #f1d3a8; }",
    ".disclaimer a { color: inherit; font-weight: 700; }",
    ".status { margin: 0; padding: 8px 14px; background: #fdecea; color: #7a1414; font-size: 14px; }",
    ".status[hidden] { display: none; }",
    ".log { flex: 1; overflow-y: auto; padding: 14px; display: flex; flex-direction: column; gap: 10px; background: #fafbfc; }",
    ".msg { max-width: 85%; padding: 9px 12px; border-radius: 12px; white-space: pre-wrap; overflow-wrap: anywhere; }",
    ".bot { align-self: flex-start; background: #eef2f6; color: #111827; border-bottom-left-radius: 4px; }",
    ".user { align-self: flex-end; background: var(--primary); color: var(--on-primary); border-bottom-right-radius: 4px; }",
    ".user a { color: inherit; }",
    ".bot a { color: #0b4a8b; }",
    ".notice { align-self: stretch; max-width: 100%; background: #fff; border: 1px solid #c9d6e3; border-left: 5px solid var(--primary); }",
    ".notice strong { display: block; font-size: 14px; color: #374151; margin-bottom: 2px; }",
    ".sr-only { position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden; clip: rect(0,0,0,0); border: 0; }",
    ".choices { display: flex; flex-wrap: wrap; gap: 6px; align-self: flex-start; }",
    ".choice { border: 1px solid var(--primary); background: #fff; color: #0b4a8b; border-radius: 999px; padding: 6px 12px;",
    "  font: inherit; font-size: 15px; cursor: pointer; }",
    ".choice:hover { background: #e8f0f8; }",
    ".typing { align-self: flex-start; padding: 9px 12px; background: #eef2f6; border-radius: 12px; color: #374151; }",
    ".typing[hidden] { display: none; }",
    ".typing span { display: inline-block; width: 7px; height: 7px; margin: 0 2px; border-radius: 50%; background: #4b5563;",
    "  animation: blink 1.2s infinite both; }",
    ".typing span:nth-child(2) { animation-delay: .2s; } .typing span:nth-child(3) { animation-delay: .4s; }",
    "@keyframes blink { 0%, 80%, 100% { opacity: .25; } 40% { opacity: 1; } }",
    "@media (prefers-reduced-motion: reduce) { .typing span { animation: none; } }",
    ".composer { display: flex; gap: 8px; padding: 10px; border-top: 1px solid #d1d5db; background: #fff; }",
    ".composer input { flex: 1; min-width: 0; padding: 10px 12px; border: 1px solid #6b7280; border-radius: 8px; font: inherit; color: #111827; }",
    ".send { padding: 10px 16px; border: 0; border-radius: 8px; background: var(--primary); color: var(--on-primary);",
    "  font: inherit; font-weight: 600; cursor: pointer; }",
    ".send:disabled { background: #6b7280; cursor: not-allowed; }",
    "button:focus-visible, input:focus-visible, a:focus-visible, .log:focus-visible {",
    "  outline: 3px solid #f59e0b; outline-offset: 2px; }",
    "@media (max-width: 480px) {",
    "  .panel { right: 0; bottom: 0; width: 100vw; max-width: 100vw; height: 100%; max-height: 100%; border-radius: 0; }",
    "  .launcher { right: 12px; bottom: 12px; } }",
  ].join("\n");

  /** A name for one message (channels/turn_ids.py: letters and digits, at most 64). */
  function newMessageId() {
    var bytes = new Uint8Array(16);
    if (window.crypto && window.crypto.getRandomValues) {
      window.crypto.getRandomValues(bytes);
    } else {
      for (var i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
    }
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function el(tag, className, attributes) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    Object.keys(attributes || {}).forEach(function (name) {
      node.setAttribute(name, attributes[name]);
    });
    return node;
  }

  function storage() {
    try {
      return window.sessionStorage;
    } catch (error) {
      return null; // storage blocked: the chat still works, it just forgets on reload
    }
  }

  function load(key, fallback) {
    var store = storage();
    if (!store) return fallback;
    try {
      var raw = store.getItem(key);
      return raw === null ? fallback : JSON.parse(raw);
    } catch (error) {
      return fallback;
    }
  }

  function save(key, value) {
    var store = storage();
    if (!store) return;
    try {
      store.setItem(key, JSON.stringify(value));
    } catch (error) {
      /* full or blocked: keep chatting */
    }
  }

  function remove(key) {
    var store = storage();
    if (!store) return;
    try {
      store.removeItem(key);
    } catch (error) {
      /* blocked: nothing was kept */
    }
  }

  /** Text as DOM nodes, with phone numbers and web addresses as links. Never innerHTML. */
  function linkified(text) {
    var fragment = document.createDocumentFragment();
    var last = 0;
    text.replace(LINK_PATTERN, function (match, url, phone, shortNumber, offset) {
      fragment.appendChild(document.createTextNode(text.slice(last, offset)));
      var link = el("a");
      if (url) {
        link.href = url;
        link.target = "_blank";
        link.rel = "noopener noreferrer";
      } else {
        link.href = "tel:" + match.replace(/\D/g, "");
      }
      link.textContent = match;
      fragment.appendChild(link);
      last = offset + match.length;
      return match;
    });
    fragment.appendChild(document.createTextNode(text.slice(last)));
    return fragment;
  }

  function Widget() {
    // The server issues the conversation (a signed token) and this tab keeps it, so a reload
    // continues it; nobody else can present it.
    this.sessionId = load(STORAGE_SESSION, null);
    this.transcript = load(STORAGE_TRANSCRIPT, []);
    this.socket = null;
    this.connected = false;
    this.pending = null;  // the message sent and not yet answered, with its id
    this.replyTimer = null;
    this.build();
    this.transcript.forEach(this.render, this);
    if (load(STORAGE_OPEN, false)) this.open(false);
  }

  Widget.prototype.build = function () {
    var host = el("div", "", { id: "spine-chat" });
    document.body.appendChild(host);
    var shadow = host.attachShadow({ mode: "open" });
    var style = el("style");
    style.textContent = STYLE;
    shadow.appendChild(style);

    var root = el("div", "root");
    root.style.setProperty("--primary", config.primaryColor);
    root.style.setProperty("--on-primary", config.primaryTextColor);
    shadow.appendChild(root);

    this.launcher = el("button", "launcher", { type: "button", "aria-expanded": "false", "aria-controls": "spine-chat-panel" });
    this.launcher.textContent = WORDS.launcher;
    root.appendChild(this.launcher);

    this.panel = el("section", "panel", { id: "spine-chat-panel", role: "dialog", "aria-labelledby": "spine-chat-title" });
    this.panel.hidden = true;
    root.appendChild(this.panel);

    var header = el("div", "header");
    var title = el("h2", "", { id: "spine-chat-title" });
    title.textContent = config.title;
    this.closeButton = el("button", "close", { type: "button", "aria-label": WORDS.close });
    this.closeButton.textContent = "×";
    // The visible word starts the spoken name, so a voice user can say "click Delete".
    this.deleteButton = el("button", "delete", {
      type: "button", "aria-label": WORDS.forget, title: WORDS.forget,
    });
    this.deleteButton.innerHTML = TRASH_ICON; // static markup, no data
    this.deleteButton.appendChild(document.createTextNode(WORDS.deleteWord));
    this.deleteButton.disabled = true; // until the chat server answers, like Send
    header.appendChild(title);
    header.appendChild(this.deleteButton);
    header.appendChild(this.closeButton);
    this.panel.appendChild(header);

    var disclaimer = el("p", "disclaimer");
    disclaimer.appendChild(linkified(WORDS.disclaimer));
    this.panel.appendChild(disclaimer);

    this.status = el("p", "status", { role: "alert" });
    this.status.hidden = true;
    this.panel.appendChild(this.status);

    this.log = el("div", "log", { role: "log", "aria-live": "polite", "aria-label": WORDS.conversation, tabindex: "0" });
    this.panel.appendChild(this.log);

    this.typing = el("div", "typing", { "aria-hidden": "true" });
    this.typing.innerHTML = "<span></span><span></span><span></span>"; // static markup, no data
    this.typing.hidden = true;

    var form = el("form", "composer");
    var label = el("label", "sr-only", { for: "spine-chat-input" });
    label.textContent = WORDS.ask;
    this.input = el("input", "", {
      id: "spine-chat-input", type: "text", autocomplete: "off", maxlength: String(MAX_MESSAGE_LENGTH),
      placeholder: WORDS.placeholder,
    });
    this.sendButton = el("button", "send", { type: "submit" });
    this.sendButton.textContent = WORDS.send;
    this.sendButton.disabled = true; // until the chat server answers
    form.appendChild(label);
    form.appendChild(this.input);
    form.appendChild(this.sendButton);
    this.panel.appendChild(form);

    var self = this;
    this.launcher.addEventListener("click", function () { self.open(true); });
    this.closeButton.addEventListener("click", function () { self.close(); });
    // The bot asks back before deleting anything, so a slip of the finger costs nothing.
    this.deleteButton.addEventListener("click", function () {
      self.send(WORDS.forget, FORGET_PAYLOAD);
    });
    this.panel.addEventListener("keydown", function (event) {
      if (event.key === "Escape") self.close();
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      self.sendText(self.input.value);
    });
  };

  Widget.prototype.open = function (focus) {
    this.panel.hidden = false;
    this.launcher.hidden = true;
    this.launcher.setAttribute("aria-expanded", "true");
    save(STORAGE_OPEN, true);
    this.connect();
    this.scrollToEnd();
    if (focus) this.input.focus();
  };

  Widget.prototype.close = function () {
    this.panel.hidden = true;
    this.launcher.hidden = false;
    this.launcher.setAttribute("aria-expanded", "false");
    save(STORAGE_OPEN, false);
    this.launcher.focus();
  };

  Widget.prototype.connect = function () {
    if (this.socket) return;
    var self = this;
    loadSocketIo(function (io) {
      if (!io) {
        self.showProblem();
        return;
      }
      self.socket = io(config.serverUrl, {
        path: config.socketPath,
        transports: ["websocket", "polling"],
        reconnection: true,
        reconnectionDelay: 1000,
        reconnectionDelayMax: 10000,
      });
      self.socket.on("connect", function () { self.requestSession(); });
      // Ready to chat once the server has bound this socket to its conversation.
      self.socket.on("session_confirm", function (token) {
        self.sessionId = token;
        save(STORAGE_SESSION, token);
        self.connected = true;
        self.status.hidden = true;
        self.sendButton.disabled = false;
        self.deleteButton.disabled = false;
        // A message that got no answer before the connection dropped (its server died) is
        // sent again under its id: answered once, whichever server hears it
        // (channels/turn_ids.py).
        if (self.pending) {
          self.socket.emit("user_uttered", self.pending);
          self.setTyping(true);
        }
      });
      self.socket.on("connect_error", function () { self.showProblem(); });
      self.socket.on("disconnect", function () { self.showProblem(); });
      self.socket.on("bot_uttered", function (message) { self.receive(message); });
    });
  };

  /** Bind the socket to this tab's conversation: the token the server gave it continues it,
   * none starts a new one (which the server opens with its privacy notice). */
  Widget.prototype.requestSession = function () {
    this.socket.emit("session_request", { session_id: this.sessionId, language: LANGUAGE });
  };

  Widget.prototype.showProblem = function () {
    this.connected = false;
    this.sendButton.disabled = true;
    this.deleteButton.disabled = true;
    this.setTyping(false);
    this.status.textContent = "";
    this.status.appendChild(linkified(messages.unreachable));
    this.status.hidden = false;
  };

  Widget.prototype.sendText = function (raw) {
    var text = String(raw || "").trim().slice(0, MAX_MESSAGE_LENGTH);
    if (!text) return;
    if (this.send(text, text)) this.input.value = "";
  };

  /** Show and send a message; false (and the typed text kept) when the chat is offline. */
  Widget.prototype.send = function (shown, message) {
    if (!this.connected) {
      this.showProblem();
      return false;
    }
    this.clearChoices();
    this.add({ from: "user", text: shown });
    this.pending = { message: message, message_id: newMessageId() };
    this.socket.emit("user_uttered", this.pending);
    this.setTyping(true);
    return true;
  };

  Widget.prototype.receive = function (message) {
    this.pending = null;  // answered
    this.setTyping(false);
    var text = typeof message.text === "string" ? message.text : "";
    var choices = (message.quick_replies || message.buttons || [])
      .filter(function (choice) { return choice && choice.title && choice.payload; })
      .map(function (choice) { return { title: String(choice.title), payload: String(choice.payload) }; });
    if (text || choices.length) this.add({ from: "bot", text: text, choices: choices });
    var custom = message.custom && typeof message.custom === "object" ? message.custom : {};
    // The practice's notice, shown as a card: its heading and words (data/topics/notice.yml).
    var notice = custom.notice;
    if (notice && typeof notice.text === "string" && notice.text) {
      this.add({ from: "bot", text: notice.text,
                 heading: typeof notice.heading === "string" ? notice.heading : "" });
    }
    // The bot has deleted the conversation: a payload for the widget, never shown.
    if (custom.conversation_deleted === true) this.forgetConversation();
  };

  /**
   * The bot has deleted this conversation: forget it here too (what is shown, what the tab
   * keeps, the token), keeping only the bot's confirmation, and ask for a new conversation so
   * nothing said next joins the deleted one.
   */
  Widget.prototype.forgetConversation = function () {
    // The confirmation text arrives just before this payload.
    var last = this.transcript[this.transcript.length - 1];
    this.transcript = last && last.from === "bot" ? [{ from: "bot", text: last.text }] : [];
    save(STORAGE_TRANSCRIPT, this.transcript);
    this.log.textContent = "";
    this.transcript.forEach(this.render, this);
    this.sessionId = null;
    remove(STORAGE_SESSION);
    // No sending until the server confirms the new conversation (session_confirm).
    this.connected = false;
    this.sendButton.disabled = true;
    this.deleteButton.disabled = true;
    if (this.socket) this.requestSession();
  };

  Widget.prototype.add = function (entry) {
    this.transcript.push(entry);
    // Quick replies belong to the newest message only; older ones are spent.
    this.transcript.forEach(function (old, index, all) {
      if (index < all.length - 1) delete old.choices;
    });
    save(STORAGE_TRANSCRIPT, this.transcript.slice(-100));
    this.render(entry);
  };

  Widget.prototype.render = function (entry) {
    var bubble;
    if (entry.from === "bot" && entry.heading) {
      bubble = el("div", "msg bot notice");
      var heading = el("strong");
      heading.textContent = entry.heading;
      bubble.appendChild(heading);
      bubble.appendChild(linkified(entry.text));
    } else {
      bubble = el("div", "msg " + (entry.from === "user" ? "user" : "bot"));
      var who = el("span", "sr-only");
      who.textContent = entry.from === "user" ? "You said: " : "Assistant: ";
      bubble.appendChild(who);
      bubble.appendChild(linkified(entry.text));
    }
    this.log.appendChild(bubble);
    if (entry.choices && entry.choices.length) this.renderChoices(entry.choices);
    this.log.appendChild(this.typing);
    this.scrollToEnd();
  };

  Widget.prototype.renderChoices = function (choices) {
    var self = this;
    var group = el("div", "choices", { role: "group", "aria-label": WORDS.suggested });
    choices.forEach(function (choice) {
      var button = el("button", "choice", { type: "button" });
      button.textContent = choice.title;
      button.addEventListener("click", function () { self.send(choice.title, choice.payload); });
      group.appendChild(button);
    });
    this.log.appendChild(group);
  };

  Widget.prototype.clearChoices = function () {
    Array.prototype.forEach.call(this.log.querySelectorAll(".choices"), function (group) {
      group.remove();
    });
  };

  Widget.prototype.setTyping = function (on) {
    var self = this;
    clearTimeout(this.replyTimer);
    this.typing.hidden = !on;
    if (on) {
      this.replyTimer = setTimeout(function () {
        self.typing.hidden = true;
        self.add({ from: "bot", text: messages.noAnswer });
      }, config.replyTimeoutMs);
    }
    this.scrollToEnd();
  };

  Widget.prototype.scrollToEnd = function () {
    this.log.scrollTop = this.log.scrollHeight;
  };

  function loadSocketIo(callback) {
    if (window.io) {
      callback(window.io);
      return;
    }
    var tag = document.createElement("script");
    tag.src = new URL("vendor/socket.io.min.js", scriptUrl || window.location.href).href;
    tag.onload = function () { callback(window.io || null); };
    tag.onerror = function () { callback(null); };
    document.head.appendChild(tag);
  }

  function start() {
    loadMessages();
    window.SpineChat = new Widget();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
