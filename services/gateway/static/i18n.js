// Words of the interface, in Vietnamese (default) and English, and the
// vocabularies of the API (roles, urgencies, document types) with their labels.

const LANG_KEY = "eoffice.lang";

const STRINGS = {
  vi: {
    appName: "e-Office",
    appTagline: "Hệ thống quản lý văn bản và điều hành",
    skipToContent: "Bỏ qua, đến nội dung chính",
    switchLanguage: "English",
    switchLanguageLabel: "Chuyển sang tiếng Anh",
    mainNav: "Điều hướng chính",
    logout: "Đăng xuất",
    loading: "Đang tải…",
    retry: "Thử lại",
    close: "Đóng",
    cancel: "Hủy",
    back: "Quay lại",
    none: "—",
    networkError: "Không kết nối được tới máy chủ. Vui lòng kiểm tra mạng và thử lại.",
    sessionExpired: "Phiên làm việc đã hết hạn. Vui lòng đăng nhập lại.",
    notFoundRoute: "Không có trang này.",
    // login
    loginTitle: "Đăng nhập",
    loginIntro: "Đăng nhập bằng tài khoản được cơ quan cấp.",
    username: "Tên đăng nhập",
    password: "Mật khẩu",
    loginButton: "Đăng nhập",
    loggingIn: "Đang đăng nhập…",
    loginMissing: "Nhập tên đăng nhập và mật khẩu.",
    systemStatusLink: "Tình trạng hệ thống",
    // header
    currentUnit: "Đơn vị làm việc",
    notifications: "Thông báo",
    unreadCount: (n) => (n ? `${n} thông báo chưa đọc` : "Không có thông báo chưa đọc"),
    // nav
    navIncoming: "Văn bản đến",
    navRegister: "Vào sổ văn bản đến",
    navInbox: "Việc cần xử lý",
    navNotifications: "Thông báo",
    navSearch: "Tìm kiếm",
    navStatus: "Hệ thống",
    // incoming list
    incomingTitle: "Văn bản đến",
    incomingOf: (unit) => `Sổ văn bản đến của ${unit}`,
    registerNew: "Vào sổ văn bản đến",
    colArrivalNumber: "Số đến",
    colArrivalDate: "Ngày đến",
    colCode: "Số, ký hiệu",
    colIssuedDate: "Ngày ban hành",
    colIssuer: "Cơ quan ban hành",
    colSubject: "Trích yếu",
    colType: "Loại",
    colUrgency: "Độ khẩn",
    colDue: "Hạn xử lý",
    colReceived: "Ngày nhận",
    colKind: "Việc",
    emptyIncoming: "Chưa có văn bản đến nào trong sổ.",
    pageInfo: (page, pages, total) => `Trang ${page}/${pages} · ${total} văn bản`,
    pageInfoItems: (page, pages, total) => `Trang ${page}/${pages} · ${total} mục`,
    prevPage: "Trang trước",
    nextPage: "Trang sau",
    pagination: "Phân trang",
    registeredFlash: (n) => `Đã vào sổ văn bản đến, số đến ${n}.`,
    // register form
    registerTitle: "Vào sổ văn bản đến",
    registerIntro: "Các trường có dấu * là bắt buộc. Tệp được tải lên ngay khi chọn.",
    registerNotClerk: "Chỉ văn thư của đơn vị được vào sổ văn bản đến.",
    sectionFiles: "Tệp văn bản",
    sectionDocument: "Thông tin văn bản",
    sectionIssuer: "Cơ quan ban hành và người ký",
    sectionHandling: "Độ khẩn, độ mật và hạn xử lý",
    files: "Chọn tệp (PDF, DOCX, DOC, ODT, XLSX, XLS, ảnh, TXT)",
    filesHint: "Có thể chọn nhiều tệp, tối đa 20 tệp, mỗi tệp tối đa 50 MB.",
    uploading: "Đang tải lên",
    uploaded: "Đã tải lên",
    uploadFailed: "Tải lên không thành công",
    removeFile: (name) => `Bỏ tệp ${name}`,
    remove: "Bỏ",
    uploadsPending: "Vui lòng đợi các tệp tải lên xong.",
    uploadsFailed: "Có tệp tải lên không thành công; bỏ tệp đó hoặc chọn lại.",
    codeNumber: "Số",
    codeNumberHint: "Chỉ gồm chữ số, ví dụ 125.",
    codeNotation: "Ký hiệu",
    codeNotationHint: "Không có khoảng trắng, ví dụ STC-BCTC.",
    issuedDate: "Ngày ban hành",
    documentType: "Loại văn bản",
    chooseType: "— Chọn loại văn bản —",
    subject: "Trích yếu nội dung",
    pageAmount: "Số trang",
    issuerName: "Tên cơ quan ban hành",
    issuerOrganId: "Mã định danh cơ quan ban hành",
    issuerOrganIdHint: "Không bắt buộc, ví dụ 000.00.11.H53.",
    signerPosition: "Chức vụ người ký",
    signerName: "Họ tên người ký",
    urgency: "Độ khẩn",
    confidentiality: "Độ mật",
    dueDate: "Hạn xử lý",
    description: "Ghi chú",
    submitRegister: "Vào sổ",
    submitting: "Đang vào sổ…",
    errorSummary: "Chưa vào sổ được. Vui lòng sửa các lỗi sau:",
    duplicateTitle: "Văn bản có thể đã được vào sổ",
    duplicateConfirm: "Vẫn vào sổ",
    secretNoFiles: "Văn bản mật chỉ được đăng ký thông tin, không kèm tệp.",
    // inbox
    inboxTitle: "Việc cần xử lý",
    viewTodo: "Cần xử lý",
    viewOverdue: "Quá hạn",
    viewFollowing: "Theo dõi",
    inboxViews: "Nhóm công việc",
    emptyInbox: "Không có việc nào ở đây.",
    kind_to_assign: "Phân công xử lý",
    overdueMark: "Quá hạn",
    // notifications
    notificationsTitle: "Thông báo",
    showAll: "Tất cả",
    showUnread: "Chưa đọc",
    notificationFilter: "Lọc thông báo",
    markRead: "Đánh dấu đã đọc",
    markAllRead: "Đánh dấu tất cả đã đọc",
    unreadLabel: "Chưa đọc",
    emptyNotifications: "Không có thông báo nào.",
    openDocument: "Xem văn bản",
    unreadSummary: (n, total) => `${n} chưa đọc / ${total} thông báo`,
    // search
    searchTitle: "Tìm kiếm văn bản",
    searchQuery: "Từ khóa",
    searchHint: "Tìm trong trích yếu, số ký hiệu, cơ quan ban hành và nội dung tệp.",
    searchButton: "Tìm",
    allTypes: "Tất cả loại văn bản",
    allUrgencies: "Mọi độ khẩn",
    dateFrom: "Từ ngày",
    dateTo: "Đến ngày",
    resultsCount: (n) => `Tìm thấy ${n} văn bản`,
    noResults: "Không tìm thấy văn bản nào phù hợp.",
    facetType: "Theo loại văn bản",
    facetUrgency: "Theo độ khẩn",
    filters: "Bộ lọc",
    clearFilters: "Bỏ lọc",
    searchPrompt: "Nhập từ khóa hoặc chọn bộ lọc để tìm văn bản.",
    arrivalShort: "Số đến",
    // document
    documentTitle: "Văn bản đến",
    arrivalNumber: "Số đến",
    arrivalDate: "Ngày đến",
    register: "Sổ",
    unit: "Đơn vị nhận",
    issuer: "Cơ quan ban hành",
    signer: "Người ký",
    state: "Trạng thái",
    state_registered: "Đã vào sổ, chờ phân công",
    attachments: "Tệp đính kèm",
    noAttachments: "Không có tệp đính kèm.",
    download: "Tải xuống",
    downloadFile: (name) => `Tải xuống ${name}`,
    downloading: "Đang tải xuống…",
    fileUnavailable: "Không lấy được thông tin tệp.",
    // status
    statusTitle: "Tình trạng hệ thống",
    statusOk: "Tất cả dịch vụ hoạt động bình thường.",
    statusDegraded: "Một số dịch vụ đang gặp sự cố.",
    statusUnknown: "Không lấy được tình trạng hệ thống.",
    serviceUp: "Hoạt động",
    serviceDown: "Ngừng",
    serviceDegraded: "Không ổn định",
    refresh: "Làm mới",
    checkedAt: (t) => `Kiểm tra lúc ${t}`,
    service_documents: "Văn bản và danh bạ",
    service_workflow: "Luồng xử lý",
    service_search: "Tìm kiếm",
    service_notify: "Thông báo",
    service_storage: "Lưu trữ tệp",
  },
  en: {
    appName: "e-Office",
    appTagline: "Document management and administration",
    skipToContent: "Skip to main content",
    switchLanguage: "Tiếng Việt",
    switchLanguageLabel: "Switch to Vietnamese",
    mainNav: "Main navigation",
    logout: "Log out",
    loading: "Loading…",
    retry: "Try again",
    close: "Close",
    cancel: "Cancel",
    back: "Back",
    none: "—",
    networkError: "Cannot reach the server. Check the network and try again.",
    sessionExpired: "Your session has expired. Please log in again.",
    notFoundRoute: "No such page.",
    loginTitle: "Log in",
    loginIntro: "Log in with the account your organisation gave you.",
    username: "Username",
    password: "Password",
    loginButton: "Log in",
    loggingIn: "Logging in…",
    loginMissing: "Enter your username and password.",
    systemStatusLink: "System status",
    currentUnit: "Working unit",
    notifications: "Notifications",
    unreadCount: (n) => (n ? `${n} unread notification${n === 1 ? "" : "s"}` : "No unread notifications"),
    navIncoming: "Incoming",
    navRegister: "Register incoming",
    navInbox: "My work",
    navNotifications: "Notifications",
    navSearch: "Search",
    navStatus: "System",
    incomingTitle: "Incoming documents",
    incomingOf: (unit) => `Incoming register of ${unit}`,
    registerNew: "Register incoming document",
    colArrivalNumber: "Arrival no.",
    colArrivalDate: "Arrived",
    colCode: "Number, notation",
    colIssuedDate: "Issued",
    colIssuer: "Issuer",
    colSubject: "Subject",
    colType: "Type",
    colUrgency: "Urgency",
    colDue: "Due",
    colReceived: "Received",
    colKind: "Task",
    emptyIncoming: "No incoming documents in the register yet.",
    pageInfo: (page, pages, total) => `Page ${page} of ${pages} · ${total} document${total === 1 ? "" : "s"}`,
    pageInfoItems: (page, pages, total) => `Page ${page} of ${pages} · ${total} item${total === 1 ? "" : "s"}`,
    prevPage: "Previous page",
    nextPage: "Next page",
    pagination: "Pagination",
    registeredFlash: (n) => `Incoming document registered with arrival number ${n}.`,
    registerTitle: "Register an incoming document",
    registerIntro: "Fields marked * are required. Files upload as soon as you choose them.",
    registerNotClerk: "Only a clerk of the unit may register incoming documents.",
    sectionFiles: "Document files",
    sectionDocument: "Document",
    sectionIssuer: "Issuing body and signer",
    sectionHandling: "Urgency, confidentiality and due date",
    files: "Choose files (PDF, DOCX, DOC, ODT, XLSX, XLS, images, TXT)",
    filesHint: "Several files may be chosen, up to 20, 50 MB each.",
    uploading: "Uploading",
    uploaded: "Uploaded",
    uploadFailed: "Upload failed",
    removeFile: (name) => `Remove file ${name}`,
    remove: "Remove",
    uploadsPending: "Please wait until the files have uploaded.",
    uploadsFailed: "A file failed to upload; remove it or choose it again.",
    codeNumber: "Number",
    codeNumberHint: "Digits only, e.g. 125.",
    codeNotation: "Notation",
    codeNotationHint: "No spaces, e.g. STC-BCTC.",
    issuedDate: "Issue date",
    documentType: "Document type",
    chooseType: "— Choose a type —",
    subject: "Subject",
    pageAmount: "Pages",
    issuerName: "Issuing body",
    issuerOrganId: "Issuing body's identifier",
    issuerOrganIdHint: "Optional, e.g. 000.00.11.H53.",
    signerPosition: "Signer's position",
    signerName: "Signer's full name",
    urgency: "Urgency",
    confidentiality: "Confidentiality",
    dueDate: "Due date",
    description: "Notes",
    submitRegister: "Register",
    submitting: "Registering…",
    errorSummary: "Not registered. Please correct the following:",
    duplicateTitle: "This document may already be registered",
    duplicateConfirm: "Register anyway",
    secretNoFiles: "A secret document is registered as metadata only, with no file.",
    inboxTitle: "My work",
    viewTodo: "To do",
    viewOverdue: "Overdue",
    viewFollowing: "Following",
    inboxViews: "Work views",
    emptyInbox: "Nothing here.",
    kind_to_assign: "Assign for handling",
    overdueMark: "Overdue",
    notificationsTitle: "Notifications",
    showAll: "All",
    showUnread: "Unread",
    notificationFilter: "Filter notifications",
    markRead: "Mark as read",
    markAllRead: "Mark all as read",
    unreadLabel: "Unread",
    emptyNotifications: "No notifications.",
    openDocument: "Open document",
    unreadSummary: (n, total) => `${n} unread / ${total} notification${total === 1 ? "" : "s"}`,
    searchTitle: "Search documents",
    searchQuery: "Keywords",
    searchHint: "Searches subjects, numbers, issuers and the text of the files.",
    searchButton: "Search",
    allTypes: "All document types",
    allUrgencies: "Any urgency",
    dateFrom: "From",
    dateTo: "To",
    resultsCount: (n) => `${n} document${n === 1 ? "" : "s"} found`,
    noResults: "No matching documents.",
    facetType: "By document type",
    facetUrgency: "By urgency",
    filters: "Filters",
    clearFilters: "Clear filters",
    searchPrompt: "Type keywords or choose a filter to search.",
    arrivalShort: "Arrival no.",
    documentTitle: "Incoming document",
    arrivalNumber: "Arrival number",
    arrivalDate: "Arrival date",
    register: "Register",
    unit: "Receiving unit",
    issuer: "Issuing body",
    signer: "Signer",
    state: "State",
    state_registered: "Registered, awaiting assignment",
    attachments: "Attachments",
    noAttachments: "No attachments.",
    download: "Download",
    downloadFile: (name) => `Download ${name}`,
    downloading: "Downloading…",
    fileUnavailable: "Could not get the file's details.",
    statusTitle: "System status",
    statusOk: "All services are running normally.",
    statusDegraded: "Some services have problems.",
    statusUnknown: "Could not get the system status.",
    serviceUp: "Up",
    serviceDown: "Down",
    serviceDegraded: "Degraded",
    refresh: "Refresh",
    checkedAt: (t) => `Checked at ${t}`,
    service_documents: "Documents and directory",
    service_workflow: "Workflow",
    service_search: "Search",
    service_notify: "Notifications",
    service_storage: "File storage",
  },
};

export const ROLES = {
  clerk: { vi: "Văn thư", en: "Clerk" },
  head: { vi: "Lãnh đạo cơ quan", en: "Head of body" },
  unit_head: { vi: "Lãnh đạo đơn vị", en: "Head of unit" },
  specialist: { vi: "Chuyên viên", en: "Specialist" },
  admin: { vi: "Quản trị", en: "Administrator" },
};

export const URGENCIES = ["normal", "urgent", "very_urgent", "flash"];
export const URGENCY_RANK = { normal: 0, urgent: 1, very_urgent: 2, flash: 3 };
const URGENCY_LABELS = {
  normal: { vi: "Thường", en: "Normal" },
  urgent: { vi: "Khẩn", en: "Urgent" },
  very_urgent: { vi: "Thượng khẩn", en: "Very urgent" },
  flash: { vi: "Hỏa tốc", en: "Flash" },
};

export const CONFIDENTIALITIES = ["none", "confidential", "secret", "top_secret"];
const CONFIDENTIALITY_LABELS = {
  none: { vi: "Thường (không mật)", en: "Not classified" },
  confidential: { vi: "Mật", en: "Confidential" },
  secret: { vi: "Tối mật", en: "Secret" },
  top_secret: { vi: "Tuyệt mật", en: "Top secret" },
};

// services/documents/domain.py DOCUMENT_TYPES, with English names.
export const DOCUMENT_TYPES = [
  ["CV", "Công văn", "Official letter"],
  ["QĐ", "Quyết định", "Decision"],
  ["TB", "Thông báo", "Notice"],
  ["KH", "Kế hoạch", "Plan"],
  ["BC", "Báo cáo", "Report"],
  ["TTr", "Tờ trình", "Submission"],
  ["CT", "Chỉ thị", "Directive"],
  ["GM", "Giấy mời", "Invitation"],
  ["HD", "Hướng dẫn", "Guidance"],
  ["NQ", "Nghị quyết", "Resolution"],
  ["QC", "Quy chế", "Regulation"],
  ["QyĐ", "Quy định", "Rules"],
  ["TC", "Thông cáo", "Communiqué"],
  ["CTr", "Chương trình", "Programme"],
  ["PA", "Phương án", "Scheme"],
  ["ĐA", "Đề án", "Project proposal"],
  ["DA", "Dự án", "Project"],
  ["BB", "Biên bản", "Minutes"],
  ["HĐ", "Hợp đồng", "Contract"],
  ["CĐ", "Công điện", "Official telegram"],
  ["BGN", "Bản ghi nhớ", "Memorandum"],
  ["BTT", "Bản thỏa thuận", "Agreement"],
  ["GUQ", "Giấy ủy quyền", "Power of attorney"],
  ["GGT", "Giấy giới thiệu", "Letter of introduction"],
  ["GNP", "Giấy nghỉ phép", "Leave permit"],
  ["PG", "Phiếu gửi", "Dispatch slip"],
  ["PC", "Phiếu chuyển", "Transfer slip"],
  ["PB", "Phiếu báo", "Notification slip"],
  ["ThC", "Thư công", "Official correspondence"],
  ["L", "Luật", "Law"],
  ["NĐ", "Nghị định", "Decree"],
  ["TT", "Thông tư", "Circular"],
];

let current = localStorage.getItem(LANG_KEY) === "en" ? "en" : "vi";

export function lang() {
  return current;
}

export function setLang(value) {
  current = value === "en" ? "en" : "vi";
  localStorage.setItem(LANG_KEY, current);
  document.documentElement.lang = current;
}

/** The interface string `key`; functions are called with `args`. */
export function t(key, ...args) {
  const entry = STRINGS[current][key] ?? STRINGS.vi[key];
  if (entry === undefined) return key;
  return typeof entry === "function" ? entry(...args) : entry;
}

export function roleLabel(role) {
  return ROLES[role]?.[current] ?? role ?? "";
}

export function urgencyLabel(urgency) {
  return URGENCY_LABELS[urgency]?.[current] ?? urgency ?? "";
}

export function confidentialityLabel(value) {
  return CONFIDENTIALITY_LABELS[value]?.[current] ?? value ?? "";
}

export function documentTypeLabel(key, fallback) {
  const row = DOCUMENT_TYPES.find(([k]) => k === key);
  if (!row) return fallback || key || "";
  return current === "en" ? row[2] : row[1];
}

function pad(n) {
  return String(n).padStart(2, "0");
}

/** A date (YYYY-MM-DD or an ISO datetime) as dd/mm/yyyy, in the browser's time zone. */
export function formatDate(value) {
  if (!value) return t("none");
  const plain = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (plain) return `${plain[3]}/${plain[2]}/${plain[1]}`;
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  return `${pad(d.getDate())}/${pad(d.getMonth() + 1)}/${d.getFullYear()}`;
}

export function formatDateTime(value) {
  if (!value) return t("none");
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  return `${pad(d.getHours())}:${pad(d.getMinutes())} ${formatDate(value)}`;
}

export function formatSize(bytes) {
  if (bytes == null) return "";
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} kB`;
  return `${bytes} B`;
}

/** Today's date in the browser's time zone as YYYY-MM-DD. */
export function todayIso() {
  const d = new Date();
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}
