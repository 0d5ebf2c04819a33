// The sandbox in a browser: chats like a messenger, acting as any simulated person, live over server-sent events.
"use strict";

const UI = {
  zh: {
    title: "e支部 演示", who: "我是", week: "+1 周", qend: "到季度末前两周", send: "发送", start: "开始",
    placeholder: "输入消息或 /命令…", private: "与机器人的私聊", members: "{n} 位成员", bot: "机器人",
    admin: "党委管理员", secretary: "支部书记", member: "党员", edited: "已编辑", reply: "回复",
    nochat: "选择左侧的聊天", ran: "已运行：{jobs}", nothing: "没有到期的提醒或汇总", toggle: "EN",
    not_member: "您不在这个群里", failed: "操作失败：{e}", weekdays: "日,一,二,三,四,五,六", you: "我",
    photo: "[图片]", document: "[文件]", joined: "{who} 加入了群聊", left: "{who} 离开了群聊",
    created: "{who} 创建了群聊", migrated: "群聊已升级为超级群", topic: "新话题：{name}", clock_title: "机器人的时钟",
    reply_to: "回复 {who}：", no_answer: "机器人没有回应",
  },
  en: {
    title: "e-branch demo", who: "I am", week: "+1 week", qend: "To 2 weeks before quarter end", send: "Send",
    start: "Start", placeholder: "Message or /command…", private: "Private chat with the bot", members: "{n} members",
    bot: "bot", admin: "Committee admin", secretary: "Secretary", member: "Member", edited: "edited", reply: "Reply",
    nochat: "Pick a chat on the left", ran: "Ran: {jobs}", nothing: "Nothing was due", toggle: "中文",
    not_member: "You are not in this group", failed: "Failed: {e}", weekdays: "Sun,Mon,Tue,Wed,Thu,Fri,Sat", you: "me",
    photo: "[photo]", document: "[file]", joined: "{who} joined", left: "{who} left", created: "{who} created the group",
    migrated: "The group became a supergroup", topic: "New topic: {name}", clock_title: "the bot's clock",
    reply_to: "Reply to {who}: ", no_answer: "The bot did not answer",
  },
};

const S = {
  bot: null, chats: new Map(), people: [], clock: null, me: null, current: null, lang: "zh",
  unread: new Map(), replyTo: null, busy: false,
};

const $ = (id) => document.getElementById(id);
const tr = (key, vars = {}) => (UI[S.lang][key] || key).replace(/\{(\w+)\}/g, (_, k) => String(vars[k] ?? ""));

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

async function api(path, body) {
  const options = body === undefined ? {} : body instanceof FormData
    ? { method: "POST", body }
    : { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
  const response = await fetch(path, options);
  let data = {};
  try { data = await response.json(); } catch (e) { data = {}; }
  if (!response.ok) throw new Error(data.error || response.statusText);
  return data;
}

// ------------------------------------------------------------------ state

async function loadState() {
  const data = await api("/api/state");
  S.bot = data.bot;
  S.people = data.people;
  S.clock = data.clock;
  S.lang = data.lang === "en" ? "en" : "zh";
  S.chats = new Map();
  for (const entry of data.chats) {
    const messages = new Map();
    for (const m of entry.messages) messages.set(m.message_id, m);
    S.chats.set(entry.chat.id, {
      chat: entry.chat, members: entry.members, started: entry.started,
      replyKeyboard: entry.reply_keyboard, migratedTo: entry.migrated_to, messages,
    });
  }
  if (!S.people.some((p) => p.id === S.me)) {
    const stored = Number(localStorage.getItem("ebranch.me"));
    const preferred = S.people.find((p) => p.id === stored) || S.people.find((p) => p.role === "secretary");
    S.me = (preferred || S.people[0] || {}).id ?? null;
  }
}

let refetchTimer = null;
function refetchSoon() {
  clearTimeout(refetchTimer);
  refetchTimer = setTimeout(async () => { await loadState(); renderAll(); }, 150);
}

function person(id) { return S.people.find((p) => p.id === id); }
function visibleChats() {
  const list = [];
  for (const entry of S.chats.values()) {
    const c = entry.chat;
    if (c.type === "private") continue;
    if (entry.migratedTo) continue;
    if (entry.members.includes(S.me)) list.push(entry);
  }
  const mine = S.chats.get(S.me);
  if (mine) list.push(mine);
  return list;
}

function chatTitle(entry) {
  if (entry.chat.type === "private") return `${S.bot.first_name} · ${tr("private")}`;
  return entry.chat.title || String(entry.chat.id);
}

function senderName(m) {
  if (m.from && m.from.is_bot && S.bot && m.from.id === S.bot.id) return S.bot.first_name;
  if (m.sender_chat) return m.sender_chat.title;
  if (!m.from) return "";
  const known = person(m.from.id);
  return known ? known.name : [m.from.first_name, m.from.last_name].filter(Boolean).join(" ");
}

function preview(m) {
  if (!m) return "";
  const who = m.from && m.from.id === S.me ? tr("you") : senderName(m);
  const body = m.text || m.caption || (m.photo ? tr("photo") : m.document ? tr("document") : serviceText(m) || "");
  return `${who}: ${body}`.slice(0, 80);
}

// ------------------------------------------------------------------ rendering text with entities

const SAFE_URL = /^(https?:|tg:)/i;

function renderText(text, entities) {
  const root = el("div", { class: "text" });
  if (!text) return root;
  const ents = (entities || []).filter((e) => e.length > 0);
  const cuts = new Set([0, text.length]);
  for (const e of ents) { cuts.add(e.offset); cuts.add(Math.min(text.length, e.offset + e.length)); }
  const points = [...cuts].sort((a, b) => a - b);
  for (let i = 0; i + 1 < points.length; i++) {
    const start = points[i], end = points[i + 1];
    const piece = text.slice(start, end);
    let node = document.createTextNode(piece);
    const covering = ents.filter((e) => e.offset <= start && e.offset + e.length >= end);
    for (const e of covering) node = wrapEntity(node, e, text.slice(e.offset, e.offset + e.length));
    root.append(node);
  }
  return root;
}

function wrapEntity(inner, entity, whole) {
  const tags = { bold: "b", italic: "i", underline: "u", strikethrough: "s", code: "code", pre: "code" };
  if (tags[entity.type]) return el(tags[entity.type], {}, inner);
  if (entity.type === "spoiler") return el("span", { class: "spoiler" }, inner);
  if (entity.type === "blockquote" || entity.type === "expandable_blockquote") return el("span", { class: "quote" }, inner);
  if (entity.type === "text_link" || entity.type === "url") {
    const href = entity.type === "url" ? whole : entity.url;
    if (!href || !SAFE_URL.test(href)) return inner;
    return el("a", { href, target: "_blank", rel: "noopener noreferrer", onclick: (ev) => openUrl(ev, href) }, inner);
  }
  if (entity.type === "bot_command") {
    return el("span", { class: "cmd", onclick: () => sendText(whole) }, inner);
  }
  return inner;
}

function serviceText(m) {
  const who = senderName(m);
  if (m.new_chat_members) return tr("joined", { who: m.new_chat_members.map((u) => u.first_name).join("、") });
  if (m.left_chat_member) return tr("left", { who: m.left_chat_member.first_name });
  if (m.group_chat_created) return tr("created", { who });
  if (m.migrate_to_chat_id || m.migrate_from_chat_id) return tr("migrated");
  if (m.forum_topic_created) return tr("topic", { name: m.forum_topic_created.name });
  return null;
}

// ------------------------------------------------------------------ messages

function zoned(unix) {
  // the bot's wall clock (its time zone), not the browser's
  const options = { timeZone: (S.clock && S.clock.tz) || undefined, hourCycle: "h23", year: "numeric", month: "numeric",
    day: "numeric", hour: "2-digit", minute: "2-digit", weekday: "short" };
  const parts = {};
  for (const p of new Intl.DateTimeFormat("en-US", options).formatToParts(new Date(unix * 1000))) parts[p.type] = p.value;
  const weekday = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"].indexOf(parts.weekday);
  return { y: parts.year, m: Number(parts.month), d: Number(parts.day), hm: `${parts.hour}:${parts.minute}`, weekday };
}

function fmtTime(unix) { return zoned(unix).hm; }

function fmtDay(unix) {
  const z = zoned(unix);
  const wd = tr("weekdays").split(",")[z.weekday];
  return S.lang === "zh" ? `${z.y}年${z.m}月${z.d}日 周${wd}`
    : `${wd} ${z.y}-${String(z.m).padStart(2, "0")}-${String(z.d).padStart(2, "0")}`;
}

function fmtSize(bytes) {
  if (bytes > 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

function renderMessage(entry, m) {
  const service = serviceText(m);
  if (service && !m.text && !m.caption) return el("div", { class: "service", dataset: { messageId: m.message_id } }, service);
  const fromBot = !!(m.from && S.bot && m.from.id === S.bot.id);
  const mine = !!(m.from && m.from.id === S.me);
  const bubble = el("div", { class: "bubble" });
  if (!mine && (entry.chat.type !== "private" || fromBot)) {
    bubble.append(el("div", { class: fromBot ? "sender bot" : "sender" }, senderName(m)));
  }
  if (m.reply_to_message) {
    const r = m.reply_to_message;
    bubble.append(el("div", { class: "reply-quote" }, `${senderName(r)}: ${r.text || r.caption || ""}`));
  }
  if (m.photo && m.photo.length) {
    const best = m.photo[m.photo.length - 1];
    const src = `/files/${encodeURIComponent(best.file_id)}`;
    bubble.append(el("img", {
      class: "photo", src, alt: m.caption || "photo", onclick: () => window.open(src, "_blank"), onload: keepAtBottom,
    }));
  }
  if (m.document) {
    const d = m.document;
    bubble.append(el("a", { class: "document", href: `/files/${encodeURIComponent(d.file_id)}`, download: d.file_name || "file" },
      el("span", { class: "icon" }, "📄"),
      el("span", {}, el("div", { class: "fname" }, d.file_name || "file"), el("div", { class: "fsize" }, fmtSize(d.file_size || 0)))));
  }
  const text = m.text ?? m.caption;
  if (text) bubble.append(renderText(text, m.entities || m.caption_entities));
  const stamp = (m.edit_date ? `${tr("edited")} ` : "") + fmtTime(m.date);
  bubble.append(el("div", { class: "time" }, stamp));
  const node = el("div", { class: mine ? "msg mine" : "msg", dataset: { messageId: m.message_id } }, bubble);
  const rows = (m.reply_markup && m.reply_markup.inline_keyboard) || [];
  if (rows.length) {
    const kb = el("div", { class: "keyboard" });
    for (const row of rows) {
      kb.append(el("div", { class: "row" }, row.map((b) => el("button", {
        type: "button", class: b.url ? "url" : "cb", dataset: { data: b.callback_data || "" },
        onclick: (ev) => pressButton(ev, entry.chat.id, m.message_id, b),
      }, b.text))));
    }
    node.append(kb);
  }
  if (entry.chat.type !== "private") {
    node.append(el("button", { type: "button", class: "reply-link", onclick: () => setReplyTo(m) }, tr("reply")));
  }
  return node;
}

function keepAtBottom() {
  const box = $("messages");
  if (box.dataset.pinned === "1") box.scrollTop = box.scrollHeight;
}

function renderMessages() {
  const box = $("messages");
  const entry = S.chats.get(S.current);
  box.replaceChildren();
  if (!entry) { box.append(el("div", { class: "empty" }, tr("nochat"))); return; }
  let lastDay = null;
  for (const m of [...entry.messages.values()].sort((a, b) => a.message_id - b.message_id)) {
    const day = fmtDay(m.date);
    if (day !== lastDay) { box.append(el("div", { class: "day" }, day)); lastDay = day; }
    box.append(renderMessage(entry, m));
  }
  box.scrollTop = box.scrollHeight;
  box.dataset.pinned = "1";
}

function updateMessage(chatId, m) {
  if (chatId !== S.current) return false;
  const box = $("messages");
  const old = box.querySelector(`[data-message-id="${m.message_id}"]`);
  const entry = S.chats.get(chatId);
  if (!old) return false;
  old.replaceWith(renderMessage(entry, m));
  return true;
}

// ------------------------------------------------------------------ chrome

function renderWho() {
  const select = $("who");
  select.replaceChildren();
  const groups = { admin: [], secretary: [], member: [] };
  for (const p of S.people) (groups[p.role] || groups.member).push(p);
  for (const role of ["admin", "secretary", "member"]) {
    if (!groups[role].length) continue;
    const group = el("optgroup", { label: tr(role) });
    for (const p of groups[role]) {
      const detail = [p.branch, p.workplace].filter(Boolean).join(" · ");
      group.append(el("option", { value: p.id, selected: p.id === S.me }, detail ? `${p.name}（${detail}）` : p.name));
    }
    select.append(group);
  }
}

function renderChatList() {
  const nav = $("chatlist");
  nav.replaceChildren();
  for (const entry of visibleChats()) {
    const c = entry.chat;
    const msgs = [...entry.messages.values()];
    const last = msgs.length ? msgs.reduce((a, b) => (a.message_id > b.message_id ? a : b)) : null;
    const unread = S.unread.get(c.id) || 0;
    const avatarClass = c.type === "private" ? "avatar bot" : "avatar group";
    nav.append(el("div", {
      class: c.id === S.current ? "chat-item active" : "chat-item", dataset: { chatId: c.id }, role: "button",
      onclick: () => openChat(c.id),
    },
    el("div", { class: avatarClass }, chatTitle(entry).slice(0, 1)),
    el("div", { class: "meta" }, el("div", { class: "name" }, chatTitle(entry)), el("div", { class: "preview" }, preview(last))),
    unread ? el("span", { class: "badge" }, unread) : null));
  }
}

function renderPane() {
  const entry = S.chats.get(S.current);
  $("pane-title").textContent = entry ? chatTitle(entry) : "";
  $("pane-avatar").textContent = entry ? chatTitle(entry).slice(0, 1) : "";
  $("pane-avatar").className = entry && entry.chat.type === "private" ? "avatar bot" : "avatar group";
  $("pane-sub").textContent = !entry ? "" : entry.chat.type === "private"
    ? `@${S.bot.username} · ${tr("bot")}` : tr("members", { n: entry.members.length + 1 });
  const isPrivate = !!entry && entry.chat.type === "private";
  const needsStart = isPrivate && !entry.started;
  $("start-bar").hidden = !needsStart;
  $("composer").hidden = !entry || needsStart;
  const kb = $("reply-keyboard");
  kb.replaceChildren();
  const keyboard = isPrivate && entry.replyKeyboard ? entry.replyKeyboard.keyboard : null;
  kb.hidden = !keyboard;
  for (const row of keyboard || []) {
    kb.append(el("div", { class: "row" }, row.map((b) => {
      const label = typeof b === "string" ? b : b.text;
      return el("button", { type: "button", onclick: () => replyKeyboardPress(b) }, label);
    })));
  }
  $("reply-to-bar").hidden = !S.replyTo;
  if (S.replyTo) $("reply-to-text").textContent = tr("reply_to", { who: senderName(S.replyTo) }) + (S.replyTo.text || "");
  renderMessages();
}

function renderClock() {
  const node = $("clock-now");
  if (!S.clock) { node.textContent = ""; $("clock-week").hidden = $("clock-qend").hidden = true; return; }
  node.textContent = `🕒 ${S.clock[S.lang] || S.clock.zh || S.clock.iso}`;
  node.title = tr("clock_title");
}

function renderChrome() {
  document.documentElement.lang = S.lang === "zh" ? "zh-CN" : "en";
  document.title = tr("title");
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = tr(node.dataset.i18n);
  for (const node of document.querySelectorAll("[data-i18n-placeholder]")) node.placeholder = tr(node.dataset.i18nPlaceholder);
  $("lang-toggle").textContent = tr("toggle");
}

function renderAll() {
  const visible = visibleChats().map((e) => e.chat.id);
  if (!visible.includes(S.current)) S.current = visible[0] ?? null;
  renderChrome();
  renderWho();
  renderClock();
  renderChatList();
  renderPane();
}

function openChat(chatId) {
  S.current = chatId;
  S.unread.delete(chatId);
  S.replyTo = null;
  $("layout").className = "show-pane";
  renderChatList();
  renderPane();
  $("composer-input").focus({ preventScroll: true });
}

function showToast(text, ms = 2600) {
  const toast = $("toast");
  toast.textContent = text;
  toast.hidden = false;
  clearTimeout(showToast.timer);
  showToast.timer = setTimeout(() => { toast.hidden = true; }, ms);
}

function showAlert(text) {
  $("alert-text").textContent = text;
  $("alert").hidden = false;
}

// ------------------------------------------------------------------ acting

async function sendText(text, extra = {}) {
  if (S.current === null || S.me === null) return;
  const body = { user_id: S.me, chat_id: S.current, text, ...extra };
  if (S.replyTo) body.reply_to = S.replyTo.message_id;
  try {
    await api("/api/send", body);
    S.replyTo = null;
    $("reply-to-bar").hidden = true;
  } catch (error) {
    showToast(tr("failed", { e: error.message }));
  }
}

async function sendPhoto(file) {
  const form = new FormData();
  form.append("user_id", S.me);
  form.append("chat_id", S.current);
  form.append("text", $("composer-input").value.trim());
  form.append("photo", file, file.name);
  try {
    await api("/api/send", form);
    $("composer-input").value = "";
  } catch (error) {
    showToast(tr("failed", { e: error.message }));
  }
}

function startPayload(url) {
  const match = /^(?:https?:\/\/)?(?:t\.me|telegram\.me)\/([A-Za-z0-9_]+)\?start=([A-Za-z0-9_-]*)$/.exec(url || "");
  if (!match || !S.bot || match[1].toLowerCase() !== (S.bot.username || "").toLowerCase()) return null;
  return match[2];
}

async function followStartLink(payload) {
  openChat(S.me);
  try {
    await api("/api/start", { user_id: S.me, payload });
  } catch (error) {
    showToast(tr("failed", { e: error.message }));
  }
}

function openUrl(ev, url) {
  const payload = startPayload(url);
  if (payload === null) return;
  ev.preventDefault();
  followStartLink(payload);
}

async function pressButton(ev, chatId, messageId, button) {
  if (button.url) {
    const payload = startPayload(button.url);
    if (payload !== null) followStartLink(payload);
    else window.open(button.url, "_blank", "noopener");
    return;
  }
  const target = ev.currentTarget;
  target.disabled = true;
  try {
    const answer = await api("/api/press", { user_id: S.me, chat_id: chatId, message_id: messageId, data: button.callback_data });
    const payload = startPayload(answer.url);
    if (payload !== null) followStartLink(payload);
    if (answer.text) (answer.show_alert ? showAlert : showToast)(answer.text);
  } catch (error) {
    showToast(error.message.includes("answered") ? tr("no_answer") : tr("failed", { e: error.message }));
  } finally {
    target.disabled = false;
  }
}

function replyKeyboardPress(button) {
  if (typeof button === "object" && button.request_contact) {
    const me = person(S.me) || {};
    sendText("", { contact: me.phone || "13800000000" });
    return;
  }
  sendText(typeof button === "string" ? button : button.text);
}

function setReplyTo(m) {
  S.replyTo = m;
  renderPane();
  $("composer-input").focus();
}

async function advanceClock(step, button) {
  for (const b of [$("clock-week"), $("clock-qend")]) b.disabled = true;
  try {
    const result = await api("/api/clock", { step });
    if (result.clock) S.clock = result.clock;
    renderClock();
    const jobs = (result.ran || []).map((j) => (S.lang === "zh" ? j.zh : j.en) || j.name);
    showToast(jobs.length ? tr("ran", { jobs: jobs.join("，") }) : tr("nothing"), 4000);
  } catch (error) {
    showToast(tr("failed", { e: error.message }));
  } finally {
    for (const b of [$("clock-week"), $("clock-qend")]) b.disabled = false;
  }
}

// ------------------------------------------------------------------ live events

function onEvent(event) {
  const entry = event.chat_id !== undefined ? S.chats.get(event.chat_id) : null;
  switch (event.type) {
    case "message": {
      if (!entry) { refetchSoon(); return; }
      entry.messages.set(event.message.message_id, event.message);
      if (event.chat_id === S.current) {
        const box = $("messages");
        const pinned = box.dataset.pinned !== "0";
        const top = box.scrollTop;
        const mine = !!(event.message.from && event.message.from.id === S.me);
        renderMessages();
        if (!pinned && !mine) { box.scrollTop = top; box.dataset.pinned = "0"; }
      } else {
        S.unread.set(event.chat_id, (S.unread.get(event.chat_id) || 0) + 1);
      }
      if (entry.chat.type === "private") {
        if (event.message.from && event.message.from.id === entry.chat.id) entry.started = true;
        if (event.from_bot) refetchSoon();
        else if (event.chat_id === S.current) renderPane();
      }
      renderChatList();
      break;
    }
    case "edit": {
      if (!entry) return;
      entry.messages.set(event.message_id, event.message);
      if (!updateMessage(event.chat_id, event.message)) renderChatList();
      break;
    }
    case "delete": {
      if (!entry) return;
      entry.messages.delete(event.message_id);
      if (event.chat_id === S.current) renderMessages();
      renderChatList();
      break;
    }
    case "clock":
      S.clock = event.clock;
      renderClock();
      break;
    case "language":
      S.lang = event.lang;
      refetchSoon();
      break;
    case "user": case "chat": case "chat_member": case "my_chat_member":
      refetchSoon();
      break;
    default:
      break;
  }
}

function connect() {
  const source = new EventSource("/api/events");
  source.onmessage = (msg) => {
    try { onEvent(JSON.parse(msg.data)); } catch (error) { console.error(error); }
  };
  source.onerror = () => { if (source.readyState === EventSource.CLOSED) setTimeout(connect, 2000); };
  source.onopen = () => { if (connect.opened) refetchSoon(); connect.opened = true; };
}

// ------------------------------------------------------------------ wiring

function wire() {
  $("messages").addEventListener("scroll", (ev) => {
    const box = ev.currentTarget;
    box.dataset.pinned = box.scrollHeight - box.scrollTop - box.clientHeight < 40 ? "1" : "0";
  });
  $("who").addEventListener("change", (ev) => {
    S.me = Number(ev.target.value);
    localStorage.setItem("ebranch.me", String(S.me));
    S.unread.clear();
    S.replyTo = null;
    const visible = visibleChats().map((e) => e.chat.id);
    if (!visible.includes(S.current)) S.current = visible[0] ?? null;
    renderAll();
  });
  $("composer").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const input = $("composer-input");
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    sendText(text);
  });
  $("composer-input").addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) {
      ev.preventDefault();
      $("composer").requestSubmit();
    }
  });
  $("photo-input").addEventListener("change", (ev) => {
    const file = ev.target.files[0];
    if (file) sendPhoto(file);
    ev.target.value = "";
  });
  $("start-button").addEventListener("click", () => followStartLink(""));
  $("back").addEventListener("click", () => { $("layout").className = "show-list"; });
  $("reply-cancel").addEventListener("click", () => { S.replyTo = null; renderPane(); });
  $("alert-ok").addEventListener("click", () => { $("alert").hidden = true; });
  $("clock-week").addEventListener("click", (ev) => advanceClock("week", ev.currentTarget));
  $("clock-qend").addEventListener("click", (ev) => advanceClock("quarter_end", ev.currentTarget));
  $("lang-toggle").addEventListener("click", async () => {
    const lang = S.lang === "zh" ? "en" : "zh";
    try { await api("/api/lang", { lang }); } catch (error) { showToast(tr("failed", { e: error.message })); }
  });
}

async function main() {
  wire();
  await loadState();
  renderAll();
  if (window.matchMedia("(min-width: 721px)").matches) $("layout").className = "show-pane";
  connect();
}

main();
